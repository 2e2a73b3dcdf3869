import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { ZOO_LEADER_PATHS } from './tokens.js';
import { ZooLeaders } from './zoo-leaders.js';

/**
 * Joins, at startup, the elections of every @OnLeader method of the app's providers and
 * controllers (whatever their scope: the class is enough).
 */
@Injectable()
export class ZooExplorer implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly leaders: ZooLeaders,
  ) {}

  async onModuleInit(): Promise<void> {
    const wrappers = [...this.discovery.getProviders(), ...this.discovery.getControllers()];
    for (const wrapper of wrappers) {
      const type = wrapper.metatype as unknown;
      if (typeof type !== 'function') continue;
      for (const path of (Reflect.getMetadata(ZOO_LEADER_PATHS, type) as string[] | undefined) ?? []) await this.leaders.join(path);
    }
  }
}
