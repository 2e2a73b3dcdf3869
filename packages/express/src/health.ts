import type { RequestHandler } from 'express';
import type { ZooSession } from '@zoo/client';

export interface HealthOptions {
  /** The coordination session to report on (or a function giving it, e.g. `() => registration.session`). */
  session?: ZooSession | (() => ZooSession | undefined);
  /** The application's own check; DOWN when it returns false or throws. */
  check?: () => boolean | Promise<boolean>;
}

/**
 * A health endpoint: 200 `{ status: 'UP' }` while the coordination session is connected (and
 * `check` passes), 503 `{ status: 'DOWN' }` otherwise — including when there is no session yet:
 * an instance that cannot register must not look healthy to a load balancer.
 */
export function zooHealth(options: HealthOptions = {}): RequestHandler {
  return (_req, res, next) => {
    void (async () => {
      const session = typeof options.session === 'function' ? options.session() : options.session;
      const zoo = session?.started ? session.client.state : 'none';
      let ok = zoo === 'connected';
      if (ok && options.check) ok = await Promise.resolve().then(options.check).catch(() => false);
      res.status(ok ? 200 : 503).json({ status: ok ? 'UP' : 'DOWN', zoo });
    })().catch(next);
  };
}
