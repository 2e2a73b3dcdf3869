/**
 * Whoever receives notifications: the server makes one per connection. Watches belong to
 * connections, not sessions (a client re-sends them with setWatches after a reconnect).
 */
export interface Watcher {
  readonly id: number;
}
