import { Inject, Injectable } from '@nestjs/common';
import { ZooSession } from '@zoo/client';
import { ServiceRegistry } from '@zoo/discovery';
import { MODULE_OPTIONS_TOKEN, type ZooModuleOptions } from './zoo-options.js';

/**
 * A @nestjs/terminus health indicator: up while the coordination session is connected (and,
 * when the app registers itself, while it is registered).
 *   health.check([() => zoo.isHealthy('zoo')])
 */
@Injectable()
export class ZooHealthIndicator {
  constructor(
    private readonly session: ZooSession,
    private readonly registry: ServiceRegistry,
    @Inject(MODULE_OPTIONS_TOKEN) private readonly options: ZooModuleOptions,
  ) {}

  async isHealthy(key = 'zoo'): Promise<Record<string, { status: 'up' | 'down'; [k: string]: unknown }>> {
    const state = this.session.started ? this.session.client.state : 'not started';
    const registered = this.registry.registered().map((i) => `${i.name}/${i.id}`);
    const wantsRegistration = !!this.options.service;
    const up = state === 'connected' && (!wantsRegistration || registered.length > 0);
    return { [key]: { status: up ? 'up' : 'down', state, registered } };
  }
}
