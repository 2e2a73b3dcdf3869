export { Demo, startDemo, DEMO_CONFIG, type DemoOptions, type DemoUrls } from './demo.js';
export { forkService, stopProcess, SERVICE_MAIN, type DemoProcess } from './demo-process.js';
export { ROLES, DEFAULT_SESSION_TIMEOUT, type Role } from './roles.js';
export { runServiceProcess, type ReadyMessage, type Running } from './service-process.js';
