import 'reflect-metadata';

export { ZooModule } from './zoo.module.js';
export { MODULE_OPTIONS_TOKEN as ZOO_MODULE_OPTIONS, type ZooModuleOptions } from './zoo-options.js';
export { ZOO_CLIENT, InjectZooClient } from './tokens.js';
export { WithLock } from './decorators/with-lock.decorator.js';
export { OnLeader } from './decorators/on-leader.decorator.js';
export { ZooConfig, type ZooConfigOptions } from './decorators/zoo-config.decorator.js';
export type { ConfigValueSchema } from './config-value-schema.js';
export { ZooLocks } from './zoo-locks.js';
export { DiscoveryClient } from './discovery-client.js';
export { ZooHealthIndicator, type ZooHealthResult } from './zoo-health.indicator.js';
export { ZooLeaders } from './zoo-leaders.js';
export { ZooConnection } from './zoo-connection.js';
export { zooConfigLoader, type ZooConfigLoaderOptions } from './zoo-config-loader.js';
