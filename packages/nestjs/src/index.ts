import 'reflect-metadata';

export { ZooModule } from './zoo.module.js';
export { MODULE_OPTIONS_TOKEN as ZOO_MODULE_OPTIONS, type ZooModuleOptions } from './zoo-options.js';
export { ZOO_CLIENT, InjectZooClient } from './tokens.js';
export { WithLock, OnLeader, ZooConfig } from './decorators.js';
export { ZooLocks } from './zoo-locks.js';
export { DiscoveryClient } from './discovery-client.js';
export { ZooHealthIndicator } from './zoo-health.indicator.js';
