import { Logger } from '@nestjs/common';
import { ConfigManager, type ConfigManagerOptions } from '@zoo/config';
import { ZooConnection } from './zoo-connection.js';
import type { ZooModuleOptions } from './zoo-options.js';

export type ZooConfigLoaderOptions<T = Record<string, unknown>> = Pick<ZooModuleOptions, 'connectionString' | 'clientOptions' | 'connectTimeoutMs' | 'startup'> &
  ConfigManagerOptions<T>;

/**
 * A configuration factory for @nestjs/config that serves Zoo's live configuration:
 *
 *   ConfigModule.forRoot({ load: [registerAs('zoo', zooConfigLoader({ connectionString, app: 'orders' }))] })
 *   config.get('zoo.max.quantity')   // the current value, updated when it changes in Zoo
 *
 * It resolves to one object that is kept up to date in place (so register it under a namespace
 * with `registerAs`: @nestjs/config keeps a namespace's object as is, but copies the top-level
 * keys of an un-namespaced one once). With `schema`, the object is the validated one and an
 * invalid update keeps the last good configuration (logged). Startup follows `startup` as in
 * ZooModule: fail-fast by default, or `'lazy'` (empty until connected). The loader's own session
 * closes with the app (`onApplicationShutdown`).
 */
export function zooConfigLoader<T = Record<string, unknown>>(options: ZooConfigLoaderOptions<T>): () => Promise<Record<string, unknown>> {
  return async () => {
    const logger = new Logger('ZooConfig');
    const connection = new ZooConnection(options);
    const manager = new ConfigManager<T>(connection.session, options);
    const live: Record<string, unknown> = {};
    const sync = () => {
      const next = manager.config as Record<string, unknown>;
      for (const key of Object.keys(live)) if (!(key in next)) delete live[key];
      Object.assign(live, next);
    };
    manager.on('change', sync);
    manager.on('error', (err: Error) => logger.warn(`configuration of ${options.app}: ${err.message}`));
    // Nest calls this on the provider's value when the app shuts down
    Object.defineProperty(live, 'onApplicationShutdown', {
      enumerable: false,
      value: async () => {
        await manager.close();
        await connection.close();
      },
    });
    await connection.start();
    if (connection.mode === 'fail-fast') {
      try {
        await manager.load();
      } catch (err) {
        await connection.close();
        throw err;
      }
      sync();
    } else {
      void connection
        .whenConnected()
        .then(() => manager.load())
        .then(sync)
        .catch((err: unknown) => logger.error(`could not load the configuration of ${options.app}: ${err instanceof Error ? err.message : String(err)}`));
    }
    return live;
  };
}
