import { Inject, Logger, Module, Optional, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ZooSession } from '@zoo/client';
import { ConfigManager } from '@zoo/config';
import { ServiceDiscovery, ServiceRegistry } from '@zoo/discovery';
import { DiscoveryClient } from './discovery-client.js';
import { ZOO_CLIENT } from './tokens.js';
import { ZooAppRegistration } from './zoo-app-registration.js';
import { sessionBoundClient } from './zoo-client-proxy.js';
import { ZooConnection } from './zoo-connection.js';
import { ZooDecoratorContext } from './zoo-decorator-context.js';
import { ZooExplorer } from './zoo-explorer.js';
import { ZooHealthIndicator } from './zoo-health.indicator.js';
import { ZooLeaders } from './zoo-leaders.js';
import { ZooLocks } from './zoo-locks.js';
import { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN, type ZooModuleOptions } from './zoo-options.js';

const logger = new Logger('ZooModule');

/**
 * `ZooModule.forRoot({ connectionString, service, config })` / `forRootAsync({ imports, inject,
 * useFactory })`, global: provides ZooSession, the ZooClient (`@InjectZooClient()`),
 * ServiceRegistry, ServiceDiscovery, DiscoveryClient, ZooLocks, ConfigManager and
 * ZooHealthIndicator. With `service`, the app registers once its HTTP server listens and
 * unregisters on shutdown. Everything outlives a session expiry (ZooSession makes a new client).
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      provide: ZooConnection,
      inject: [MODULE_OPTIONS_TOKEN],
      useFactory: async (o: ZooModuleOptions) => {
        const connection = new ZooConnection(o);
        await connection.start();
        return connection;
      },
    },
    { provide: ZooSession, inject: [ZooConnection], useFactory: (c: ZooConnection) => c.session },
    { provide: ZOO_CLIENT, inject: [ZooSession, MODULE_OPTIONS_TOKEN], useFactory: (s: ZooSession, o: ZooModuleOptions) => sessionBoundClient(s, o.connectionString) },
    {
      provide: ServiceRegistry,
      inject: [ZooSession, MODULE_OPTIONS_TOKEN],
      useFactory: (s: ZooSession, o: ZooModuleOptions) => {
        const registry = new ServiceRegistry(s, { basePath: o.basePath });
        // background re-registration failures are reported, not thrown at the event loop
        registry.on('error', (err: Error) => logger.warn(`service registry: ${err.message}`));
        registry.on('reregistered', (i: { name: string; id: string }, why: string) => logger.log(`registered ${i.name}/${i.id} again (${why})`));
        return registry;
      },
    },
    { provide: ServiceDiscovery, inject: [ZooSession, MODULE_OPTIONS_TOKEN], useFactory: (s: ZooSession, o: ZooModuleOptions) => new ServiceDiscovery(s, { basePath: o.basePath }) },
    {
      provide: ConfigManager,
      inject: [ZooConnection, MODULE_OPTIONS_TOKEN],
      useFactory: async (c: ZooConnection, o: ZooModuleOptions) => {
        if (!o.config) return null;
        const manager = new ConfigManager(c.session, o.config);
        // a rejected update keeps the last good configuration: say why, never crash the app
        manager.on('error', (err: Error) => logger.warn(`configuration of ${o.config!.app}: ${err.message}`));
        if (c.mode === 'fail-fast') await manager.load();
        else {
          void c
            .whenConnected()
            .then(() => manager.load())
            .catch((err: unknown) => logger.error(`could not load the configuration of ${o.config!.app}: ${err instanceof Error ? err.message : String(err)}`));
        }
        return manager;
      },
    },
    ZooLocks,
    ZooLeaders,
    DiscoveryClient,
    ZooDecoratorContext,
    ZooExplorer,
    ZooAppRegistration,
    ZooHealthIndicator,
  ],
  exports: [ZooSession, ZOO_CLIENT, ServiceRegistry, ServiceDiscovery, ConfigManager, ZooLocks, ZooLeaders, DiscoveryClient, ZooHealthIndicator, ZooDecoratorContext, ZooConnection],
})
export class ZooModule extends ConfigurableModuleClass implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    @Inject(MODULE_OPTIONS_TOKEN) private readonly options: ZooModuleOptions,
    private readonly connection: ZooConnection,
    private readonly leaders: ZooLeaders,
    private readonly discovery: ServiceDiscovery,
    private readonly registry: ServiceRegistry,
    private readonly registration: ZooAppRegistration,
    @Optional() @Inject(ConfigManager) private readonly config: ConfigManager | null,
  ) {
    super();
  }

  /** Registers once the HTTP server listens (the port is read from it). */
  onApplicationBootstrap(): void {
    this.registration.attach();
  }

  /** Unregisters before the HTTP server closes (with app.enableShutdownHooks() on signals too). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.whileConnected(() => this.registration.close(), 'unregistering');
  }

  /**
   * Leaves elections, stops watches and closes the session. The polite steps (deleting our
   * nodes) need the service: they are skipped when it is unreachable and cut short after
   * `shutdownTimeoutMs`; closing the session removes our ephemeral nodes anyway, and if even that
   * cannot reach the service they go when the session expires.
   */
  async onApplicationShutdown(): Promise<void> {
    await this.whileConnected(
      () => Promise.all([this.leaders.close(), this.config?.close(), this.discovery.close(), this.registry.close()]),
      'leaving elections and watches',
    );
    await this.connection.close();
  }

  /** Runs a release step; waits for it only while connected, and at most shutdownTimeoutMs. */
  private async whileConnected(step: () => Promise<unknown>, what: string): Promise<void> {
    const running = step().catch((err: unknown) => logger.warn(`shutdown: ${what}: ${err instanceof Error ? err.message : String(err)}`));
    const session = this.connection.session;
    // unreachable: waiting cannot help; closing the session ends whatever is pending
    if (!session.started || session.client.state !== 'connected') return;
    const deadline = this.options.shutdownTimeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([running.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), deadline)))]);
    clearTimeout(timer);
    if (timedOut) logger.warn(`shutdown: ${what} took over ${deadline} ms; closing the session anyway`);
  }
}
