import { Inject, Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { ConfigManager } from '@zoo/config';
import { ZOO_AWARE, ZOO_CONFIG_SLOT, ZOO_LEADER_PATHS, ZOO_LEADERS_SLOT, ZOO_LOCKS_SLOT } from './tokens.js';
import { ZooLeaders } from './zoo-leaders.js';
import { ZooLocks } from './zoo-locks.js';

/**
 * Finds providers and controllers that use @WithLock / @OnLeader / @ZooConfig and gives their
 * instances what those decorators need (the decorators wrap methods at class definition, so
 * route handlers are covered too); joins the elections of @OnLeader methods.
 */
@Injectable()
export class ZooExplorer implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly locks: ZooLocks,
    private readonly leaders: ZooLeaders,
    @Optional() @Inject(ConfigManager) private readonly config: ConfigManager | null,
  ) {}

  async onModuleInit(): Promise<void> {
    const wrappers = [...this.discovery.getProviders(), ...this.discovery.getControllers()];
    for (const wrapper of wrappers) {
      const instance = wrapper.instance as Record<symbol, unknown> | undefined;
      const type = wrapper.metatype as unknown;
      if (!instance || typeof type !== 'function' || !Reflect.getMetadata(ZOO_AWARE, type)) continue;
      instance[ZOO_LOCKS_SLOT] = this.locks;
      instance[ZOO_LEADERS_SLOT] = this.leaders;
      if (this.config) instance[ZOO_CONFIG_SLOT] = this.config;
      for (const path of (Reflect.getMetadata(ZOO_LEADER_PATHS, type) as string[] | undefined) ?? []) await this.leaders.join(path);
    }
  }
}
