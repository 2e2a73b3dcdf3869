import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { ZooClientOptions } from '@zoo/client';
import type { ConfigManagerOptions } from '@zoo/config';
import type { HealthCheck, InstancePayload } from '@zoo/discovery';

export interface ZooModuleOptions {
  connectionString: string;
  clientOptions?: ZooClientOptions;
  /**
   * `'fail-fast'` (default): startup waits for the first connection, at most `connectTimeoutMs`,
   * and fails with an error naming the connection string. `'lazy'`: the app starts at once and
   * connects in the background; the health indicator is DOWN, `@ZooConfig` reads initializers,
   * and registration and elections wait until it is connected.
   */
  startup?: 'fail-fast' | 'lazy';
  /** How long one attempt to connect may take (default 10 000 ms; `clientOptions.connectTimeout` wins). */
  connectTimeoutMs?: number;
  /**
   * Shutdown gives up on deleting this app's nodes politely (unregister, leave elections) after
   * this long (default 5000 ms) and closes the session, which removes them too.
   */
  shutdownTimeoutMs?: number;
  /** Service discovery base path (default /services). */
  basePath?: string;
  /**
   * Register this app as an instance of `service.name` once its HTTP server listens (Express or
   * Fastify). The port is the one the server listens on, the address the one it is bound to
   * (or this host's first external IPv4 address when it listens on all interfaces).
   */
  service?: { name: string; id?: string; address?: string; port?: number; payload?: InstancePayload; healthCheck?: HealthCheck };
  /** Load centralized configuration (Spring Cloud Zookeeper layout) at startup. */
  config?: Omit<ConfigManagerOptions<Record<string, unknown>>, 'schema'> & { schema?: ConfigManagerOptions<Record<string, unknown>>['schema'] };
}

export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } = new ConfigurableModuleBuilder<ZooModuleOptions>({ moduleName: 'Zoo' })
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
