import { Inject, Injectable } from '@nestjs/common';
import { ServiceRegistry } from '@zoo/discovery';
import { ZooConnection } from './zoo-connection.js';
import { MODULE_OPTIONS_TOKEN, type ZooModuleOptions } from './zoo-options.js';

/** What `isHealthy` returns: @nestjs/terminus's HealthIndicatorResult shape. */
export type ZooHealthResult = Record<string, { status: 'up' | 'down'; state: string; registered: string[] }>;

/**
 * A @nestjs/terminus health indicator: up while the coordination session is connected (and,
 * when the app registers itself, while it is registered); down before the first connection
 * (startup: 'lazy'), while disconnected and while an expired session is being replaced.
 *   health.check([() => zoo.isHealthy('zoo')])
 */
@Injectable()
export class ZooHealthIndicator {
  constructor(
    private readonly connection: ZooConnection,
    private readonly registry: ServiceRegistry,
    @Inject(MODULE_OPTIONS_TOKEN) private readonly options: ZooModuleOptions,
  ) {}

  async isHealthy(key = 'zoo'): Promise<ZooHealthResult> {
    const session = this.connection.session;
    const state = session.started ? session.client.state : 'connecting';
    const registered = this.registry.registered().map((i) => `${i.name}/${i.id}`);
    const wantsRegistration = !!this.options.service;
    const up = state === 'connected' && (!wantsRegistration || registered.length > 0);
    return { [key]: { status: up ? 'up' : 'down', state, registered } };
  }
}
