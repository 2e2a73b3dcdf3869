import type { RequestHandler } from 'express';
import type { ZooSession } from '@zoo/client';

/**
 * A health endpoint: 200 `{ status: 'UP' }` while the coordination session is connected, 503
 * otherwise — something a registry health check (or a load balancer) can poll.
 */
export function zooHealth(options: { session?: ZooSession; check?: () => boolean | Promise<boolean> } = {}): RequestHandler {
  return (_req, res, next) => {
    void (async () => {
      const zoo = options.session?.started ? options.session.client.state : 'none';
      const ok = (zoo === 'connected' || zoo === 'none') && (options.check ? await options.check() : true);
      res.status(ok ? 200 : 503).json({ status: ok ? 'UP' : 'DOWN', zoo });
    })().catch(next);
  };
}
