import { ZooClient, ZooError, ZooErrorCode, type ZooSession } from '@zoo/client';

/**
 * The injected ZooClient: one object for the app's whole life that forwards to the session's
 * current client, so a class holding it keeps working after a session expiry (the session makes
 * a new client then). Event listeners belong on ZooSession ('session', 'expired', ...), since
 * each client has its own.
 */
export function sessionBoundClient(session: ZooSession, connectionString: string): ZooClient {
  // before the first connection (startup: 'lazy') the client's methods fail with CONNECTIONLOSS,
  // as a disconnected client's do; inspection (constructor, state) still works
  const beforeConnected = (property: string | symbol): unknown => {
    if (property === 'state') return 'connecting';
    if (property === 'constructor') return ZooClient;
    const value = (ZooClient.prototype as unknown as Record<string | symbol, unknown>)[property];
    if (typeof value !== 'function') return undefined;
    return () => {
      throw new ZooError(ZooErrorCode.CONNECTIONLOSS, `CONNECTIONLOSS: not connected to ${connectionString} yet (ZooModule startup: 'lazy')`);
    };
  };
  const target = Object.create(ZooClient.prototype) as ZooClient;
  return new Proxy(target, {
    get(_target, property) {
      if (!session.started) return beforeConnected(property);
      const client = session.client;
      const value = Reflect.get(client, property, client) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(client) : value;
    },
    set(_target, property, value) {
      return Reflect.set(session.client, property, value);
    },
    has(_target, property) {
      return session.started ? Reflect.has(session.client, property) : Reflect.has(ZooClient.prototype, property);
    },
  });
}
