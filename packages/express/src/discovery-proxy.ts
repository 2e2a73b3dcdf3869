import type { Request, RequestHandler, Response } from 'express';
import { request as undiciRequest, type Dispatcher } from 'undici';
import { FailoverError, NoInstanceError, ServiceDiscovery, instanceUrl, type ProviderOptions, type ServiceInstance, type ServiceProvider } from '@zoo/discovery';
import { resolveSession, type SessionSource } from './session-source.js';

export interface ProxyOptions extends SessionSource, ProviderOptions {
  discovery?: ServiceDiscovery;
  basePath?: string;
  /** Instances tried per request (default 3). */
  maxAttempts?: number;
  /** Per-request deadline across attempts, ms (default 30 s). */
  timeoutMs?: number;
  /** Rewrites the path sent upstream (e.g. strip a mount prefix; Express already strips app.use's). */
  rewritePath?: (path: string) => string;
  /** Largest request body buffered for failover; default 10 MiB. */
  maxBodyBytes?: number;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length']);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

class UpstreamStatusError extends Error {
  constructor(readonly statusCode: number) {
    super(`upstream answered ${statusCode}`);
  }
}

async function readBody(req: Request, limit: number): Promise<Buffer | undefined> {
  if (req.method === 'GET' || req.method === 'HEAD') return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw Object.assign(new Error(`request body over ${limit} bytes`), { status: 413 });
    chunks.push(chunk);
  }
  return chunks.length ? Buffer.concat(chunks) : undefined;
}

/**
 * Forwards requests to the instances of a service: a strategy picks one, connection errors
 * (and 5xx for idempotent methods) fail over to the next, the response streams back. 503 with
 * a clear message when no instance is available, 502 when every attempt failed.
 */
export function discoveryProxy(serviceName: string, options: ProxyOptions = {}): RequestHandler {
  let providerPromise: Promise<ServiceProvider> | undefined;
  const provider = () =>
    (providerPromise ??= (async () => {
      const discovery = options.discovery ?? new ServiceDiscovery((await resolveSession(options)).session, { basePath: options.basePath });
      return discovery.provider(serviceName, options);
    })());

  return (req, res, next) => {
    void (async () => {
      const p = await provider();
      const body = await readBody(req, options.maxBodyBytes ?? 10 * 1024 * 1024);
      const path = options.rewritePath ? options.rewritePath(req.url) : req.url;
      const headers: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
      headers['x-forwarded-for'] = [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ');
      headers['x-forwarded-host'] = req.headers.host ?? '';
      headers['x-forwarded-proto'] = req.protocol;
      const idempotent = IDEMPOTENT.has(req.method);
      try {
        const upstream = await p.call(
          async (instance: ServiceInstance, signal: AbortSignal) => {
            const r = await undiciRequest(`${instanceUrl(instance)}${path}`, { method: req.method as Dispatcher.HttpMethod, headers, body, signal });
            if (r.statusCode >= 500 && idempotent) {
              await r.body.dump();
              throw new UpstreamStatusError(r.statusCode);
            }
            return { r, instance };
          },
          { maxAttempts: options.maxAttempts ?? 3, timeoutMs: options.timeoutMs ?? 30_000 },
        );
        relay(upstream.r, res, upstream.instance);
      } catch (err) {
        if (err instanceof NoInstanceError) {
          res.status(503).json({ error: `no available instance of service "${serviceName}"` });
        } else if (err instanceof FailoverError) {
          const last = err.attempts[err.attempts.length - 1]?.error;
          res.status(last instanceof UpstreamStatusError ? last.statusCode : 502).json({ error: err.message });
        } else throw err;
      }
    })().catch(next);
  };
}

function relay(r: Dispatcher.ResponseData, res: Response, instance: ServiceInstance): void {
  res.status(r.statusCode);
  for (const [k, v] of Object.entries(r.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) res.setHeader(k, v);
  res.setHeader('x-zoo-instance', instance.id);
  r.body.pipe(res);
}
