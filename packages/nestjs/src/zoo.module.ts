import { Inject, Module, Optional, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryModule, HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';
import { ZooSession } from '@zoo/client';
import { ConfigManager } from '@zoo/config';
import { ServiceDiscovery, ServiceRegistry } from '@zoo/discovery';
import { ZooRegistration } from '@zoo/express';
import { DiscoveryClient } from './discovery-client.js';
import { ZOO_CLIENT } from './tokens.js';
import { ZooDecoratorContext } from './zoo-decorator-context.js';
import { ZooExplorer } from './zoo-explorer.js';
import { ZooHealthIndicator } from './zoo-health.indicator.js';
import { ZooLeaders } from './zoo-leaders.js';
import { ZooLocks } from './zoo-locks.js';
import { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN, type ZooModuleOptions } from './zoo-options.js';

/**
 * `ZooModule.forRoot({ connectionString, service, config })` / `forRootAsync({ imports, inject,
 * useFactory })`, global: provides ZooSession, the ZooClient (`@InjectZooClient()`),
 * ServiceRegistry, ServiceDiscovery, DiscoveryClient, ZooLocks, ConfigManager and
 * ZooHealthIndicator. With `service`, the app registers once its HTTP server listens and
 * unregisters on shutdown.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      provide: ZooSession,
      inject: [MODULE_OPTIONS_TOKEN],
      useFactory: async (o: ZooModuleOptions) => {
        const session = new ZooSession(o.connectionString, o.clientOptions);
        await session.start();
        return session;
      },
    },
    { provide: ZOO_CLIENT, inject: [ZooSession], useFactory: (s: ZooSession) => s.client },
    { provide: ServiceRegistry, inject: [ZooSession, MODULE_OPTIONS_TOKEN], useFactory: (s: ZooSession, o: ZooModuleOptions) => new ServiceRegistry(s, { basePath: o.basePath }) },
    { provide: ServiceDiscovery, inject: [ZooSession, MODULE_OPTIONS_TOKEN], useFactory: (s: ZooSession, o: ZooModuleOptions) => new ServiceDiscovery(s, { basePath: o.basePath }) },
    {
      provide: ConfigManager,
      inject: [ZooSession, MODULE_OPTIONS_TOKEN],
      useFactory: async (s: ZooSession, o: ZooModuleOptions) => {
        if (!o.config) return null;
        const manager = new ConfigManager(s, o.config);
        await manager.load();
        return manager;
      },
    },
    ZooLocks,
    ZooLeaders,
    DiscoveryClient,
    ZooDecoratorContext,
    ZooExplorer,
    ZooHealthIndicator,
  ],
  exports: [ZooSession, ZOO_CLIENT, ServiceRegistry, ServiceDiscovery, ConfigManager, ZooLocks, DiscoveryClient, ZooHealthIndicator, ZooDecoratorContext],
})
export class ZooModule extends ConfigurableModuleClass implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private registration?: ZooRegistration;

  constructor(
    @Inject(MODULE_OPTIONS_TOKEN) private readonly options: ZooModuleOptions,
    private readonly session: ZooSession,
    private readonly leaders: ZooLeaders,
    private readonly discovery: ServiceDiscovery,
    private readonly registry: ServiceRegistry,
    @Optional() @Inject(ConfigManager) private readonly config: ConfigManager | null,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
  ) {
    super();
  }

  /** Registers once the HTTP server listens (the port is read from it). */
  onApplicationBootstrap(): void {
    const service = this.options.service;
    const server = this.adapterHost?.httpAdapter?.getHttpServer() as Server | undefined;
    if (!service || !server) return;
    this.registration = new ZooRegistration({ session: this.session, registry: this.registry, service, healthCheck: service.healthCheck, handleSignals: false });
    this.registration.attach(server);
  }

  /** Unregisters before the HTTP server closes (with app.enableShutdownHooks() on signals too). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.registration?.close();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.leaders.close();
    await this.config?.close();
    await this.discovery.close();
    await this.session.close();
  }
}
