export { zooRegistration, ZooRegistration, type RegistrationOptions } from './registration.js';
export { zooHealth, type HealthOptions } from './health.js';
export { discoveryProxy, type DiscoveryProxy, type ProxyOptions } from './discovery-proxy.js';
export { HttpDrainer, type DrainOptions } from './http-drainer.js';
export { detectAddress } from './detect-address.js';
export type { SessionSource } from './session-source.js';
