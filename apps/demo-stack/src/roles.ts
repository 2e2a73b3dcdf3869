/** The demo's kinds of process, in the order `npm start` starts them. */
export const ROLES = ['zoo', 'catalog', 'orders', 'gateway', 'dashboard'] as const;
export type Role = (typeof ROLES)[number];

/**
 * The demo services' session timeout, ms: short, so a `kill -9`ed instance leaves the registry
 * within seconds (the server's tickTime of 2 s allows 4-40 s).
 */
export const DEFAULT_SESSION_TIMEOUT = 6000;
