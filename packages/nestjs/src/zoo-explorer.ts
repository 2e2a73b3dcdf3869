import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { ZOO_LEADER_PATHS } from './tokens.js';
import { ZooConnection } from './zoo-connection.js';
import { ZooLeaders } from './zoo-leaders.js';

/**
 * Joins, at startup, the elections of every @OnLeader method of the app's providers and
 * controllers (whatever their scope: the class is enough). With startup: 'lazy' it joins in
 * the background once connected.
 */
@Injectable()
export class ZooExplorer implements OnModuleInit {
  private readonly logger = new Logger('ZooModule');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly leaders: ZooLeaders,
    private readonly connection: ZooConnection,
  ) {}

  async onModuleInit(): Promise<void> {
    const paths = new Set<string>();
    for (const wrapper of [...this.discovery.getProviders(), ...this.discovery.getControllers()]) {
      const type = wrapper.metatype as unknown;
      if (typeof type !== 'function') continue;
      for (const path of (Reflect.getMetadata(ZOO_LEADER_PATHS, type) as string[] | undefined) ?? []) paths.add(path);
    }
    const joins = [...paths].map((path) =>
      this.leaders.join(path).catch((err: unknown) => {
        if (this.connection.mode === 'fail-fast') throw err;
        this.logger.error(`could not join the election at ${path}: ${err instanceof Error ? err.message : String(err)}`);
      }),
    );
    if (this.connection.mode === 'fail-fast') await Promise.all(joins);
  }
}
