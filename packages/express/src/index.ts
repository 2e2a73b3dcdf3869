export { zooRegistration, ZooRegistration, type RegistrationOptions } from './registration.js';
export { zooHealth } from './health.js';
export { discoveryProxy, type ProxyOptions } from './discovery-proxy.js';
export { detectAddress } from './detect-address.js';
export type { SessionSource } from './session-source.js';
