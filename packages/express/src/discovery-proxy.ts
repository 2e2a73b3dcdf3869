import { Agent, request as httpRequest, type IncomingMessage, type ClientRequest, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { Request, RequestHandler } from 'express';
import { FailoverError, NoInstanceError, ServiceDiscovery, instanceUrl, type ProviderOptions, type ServiceInstance, type ServiceProvider } from '@zoo/discovery';
import { addForwarded, endToEnd } from './forward-headers.js';
import { BodyError, upstreamBody, type UpstreamBody } from './request-body.js';
import { resolveSession, type SessionSource } from './session-source.js';

export interface ProxyOptions extends SessionSource, ProviderOptions {
  discovery?: ServiceDiscovery;
  basePath?: string;
  /** Instances tried per request (default 3). */
  maxAttempts?: number;
  /** Per-request deadline until the upstream answers, across attempts, ms (default 30 s). */
  timeoutMs?: number;
  /** Rewrites the path sent upstream (e.g. strip a mount prefix; Express already strips app.use's). */
  rewritePath?: (path: string) => string;
  /**
   * For WebSocket upgrades, which do not pass through Express: only upgrades whose URL starts
   * with this prefix are proxied, without it (e.g. '/catalog' like the app.use mount). Default: all.
   */
  mountPath?: string;
}

/** The proxy middleware, plus what Express cannot route: upgrades and closing the upstream connection pool. */
export interface DiscoveryProxy extends RequestHandler {
  /** `server.on('upgrade', proxy.upgrade)`: proxies WebSocket (any Upgrade) requests to an instance. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Closes the pooled connections to instances, and the discovery and session the proxy made itself. */
  close(): Promise<void>;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

/** An attempt that failed; `safe` when another instance may be tried (nothing sent, or an idempotent replayable request). */
class AttemptError extends Error {
  constructor(
    message: string,
    readonly safe: boolean,
    readonly statusCode?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A failure that must not be retried; returned (not thrown) so the provider stops trying. */
interface Stop {
  stop: AttemptError;
}

/**
 * Forwards requests to the instances of a service: a strategy picks one, the request streams
 * upstream and the response streams back (stream.pipeline), the upstream request is aborted
 * when the client goes away. Another instance is tried only when that is safe: the connection
 * failed before anything was sent, or the method is idempotent and the body can be sent again
 * (5xx answers of such requests are retried too). 503 with a clear message when no instance is
 * available, 502 (or the last 5xx) when every attempt failed.
 */
export function discoveryProxy(serviceName: string, options: ProxyOptions = {}): DiscoveryProxy {
  const agent = new Agent({ keepAlive: true });
  let providerPromise: Promise<ServiceProvider> | undefined;
  let release = async () => {};
  const provider = () =>
    (providerPromise ??= (async () => {
      if (options.discovery) return options.discovery.provider(serviceName, options);
      const resolved = await resolveSession(options);
      const discovery = new ServiceDiscovery(resolved.session, { basePath: options.basePath });
      release = async () => {
        await discovery.close();
        await resolved.release();
      };
      return discovery.provider(serviceName, options);
    })().catch((err) => {
      providerPromise = undefined; // try again on the next request
      throw err;
    }));

  const handler = ((req: Request, res: ServerResponse, next: (err?: unknown) => void) => {
    void forward(req, res).catch((err) => (res.headersSent ? res.destroy(err as Error) : next(err)));
  }) as unknown as DiscoveryProxy;

  async function forward(req: Request, res: ServerResponse): Promise<void> {
    const p = await provider();
    let body: UpstreamBody;
    try {
      body = upstreamBody(req);
    } catch (err) {
      if (err instanceof BodyError) return void json(res, 500, { error: err.message });
      throw err;
    }
    const headers = endToEnd(req.headers);
    addForwarded(headers, req.headers, req.socket.remoteAddress, req.protocol);
    if (body.kind === 'bytes') {
      delete headers['content-length'];
      if (body.data.length > 0 || req.headers['content-length'] !== undefined) headers['content-length'] = body.data.length;
    }
    const path = options.rewritePath ? options.rewritePath(req.url) : req.url;
    const clientGone = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) clientGone.abort(new Error('client went away'));
    });
    const replayable = body.kind === 'bytes' && IDEMPOTENT.has(req.method);
    let outcome: { up: IncomingMessage; instance: ServiceInstance } | Stop;
    try {
      outcome = await p.call(
        async (instance, signal) => {
          try {
            const up = await send(instance, req, path, headers, body, signal, replayable);
            return { up, instance };
          } catch (err) {
            if (err instanceof AttemptError && !err.safe) {
              p.noteError(instance);
              return { stop: err };
            }
            throw err;
          }
        },
        { maxAttempts: options.maxAttempts ?? 3, timeoutMs: options.timeoutMs ?? 30_000, signal: clientGone.signal },
      );
    } catch (err) {
      if (clientGone.signal.aborted) return;
      if (isTimeout(err)) return void json(res, 504, { error: `service "${serviceName}" did not answer within ${options.timeoutMs ?? 30_000} ms` });
      if (err instanceof NoInstanceError) return void json(res, 503, { error: `no available instance of service "${serviceName}"` });
      if (err instanceof FailoverError) {
        const last = err.attempts[err.attempts.length - 1]?.error;
        return void json(res, last instanceof AttemptError && last.statusCode ? last.statusCode : 502, { error: err.message });
      }
      throw err;
    }
    if ('stop' in outcome) {
      if (!clientGone.signal.aborted) json(res, outcome.stop.statusCode ?? 502, { error: `service "${serviceName}": ${outcome.stop.message}` });
      return;
    }
    const { up, instance } = outcome;
    const out = endToEnd(up.headers);
    out['x-zoo-instance'] = instance.id;
    res.writeHead(up.statusCode ?? 502, out);
    pipeline(up, res, () => {}); // an error on either side destroys both, which aborts the upstream request
  }

  function send(instance: ServiceInstance, req: IncomingMessage, path: string, headers: Record<string, unknown>, body: UpstreamBody, signal: AbortSignal, replayable: boolean): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const target = new URL(instanceUrl(instance));
      let sent = false;
      const up: ClientRequest = httpRequest({ agent, host: target.hostname, port: target.port, method: req.method, path, headers: { ...headers, host: target.host } });
      // the deadline and the client going away abort the attempt until the answer starts; after
      // that the response pipeline carries a client abort upstream, and a long download is not cut
      const abort = () => up.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      if (signal.aborted) abort();
      else signal.addEventListener('abort', abort, { once: true });
      up.once('socket', (socket) => {
        const start = () => {
          sent = true;
          if (body.kind === 'bytes') up.end(body.data);
          else pipeline(req, up, () => {});
        };
        if (socket.connecting) socket.once('connect', start);
        else start();
      });
      up.once('response', (r) => {
        signal.removeEventListener('abort', abort);
        if ((r.statusCode ?? 0) >= 500 && replayable) {
          r.resume();
          reject(new AttemptError(`upstream answered ${r.statusCode}`, true, r.statusCode));
        } else resolve(r);
      });
      up.once('error', (err: NodeJS.ErrnoException) => {
        signal.removeEventListener('abort', abort);
        // a pooled connection the instance had closed: nothing reached it (Node's documented retry case)
        const stale = up.reusedSocket && err.code === 'ECONNRESET';
        const timedOut = signal.aborted && isTimeout(signal.reason);
        reject(new AttemptError(timedOut ? `${instance.id} did not answer in time` : `${instance.id}: ${err.message}`, !signal.aborted && (!sent || stale || replayable), timedOut ? 504 : undefined, { cause: err }));
      });
    });
  }

  handler.upgrade = (req, socket, head) => {
    const url = req.url ?? '/';
    if (options.mountPath && !(url === options.mountPath || url.startsWith(`${options.mountPath}/`) || url.startsWith(`${options.mountPath}?`))) return;
    socket.on('error', () => socket.destroy());
    void upgrade(req, socket, head, options.mountPath ? url.slice(options.mountPath.length) || '/' : url).catch(() => socket.destroy());
  };

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: string): Promise<void> {
    const p = await provider();
    const headers = endToEnd(req.headers, { upgrade: true });
    addForwarded(headers, req.headers, req.socket.remoteAddress, (req.socket as TLSSocket).encrypted ? 'https' : 'http');
    const path = options.rewritePath ? options.rewritePath(url) : url;
    if (head.length) socket.unshift(head);
    try {
      await p.call(
        (instance) =>
          new Promise<void>((resolve, reject) => {
            const target = new URL(instanceUrl(instance));
            // a connection of its own: an upgraded socket never goes back to a pool
            const up = httpRequest({ host: target.hostname, port: target.port, method: req.method, path, headers: { ...headers, host: target.host } });
            up.once('upgrade', (r, upSocket, upHead) => {
              socket.write(statusHead(r, instance));
              if (upHead.length) upSocket.unshift(upHead);
              upSocket.on('error', () => upSocket.destroy());
              pipeline(socket, upSocket, () => socket.destroy());
              pipeline(upSocket, socket, () => upSocket.destroy());
              resolve();
            });
            up.once('response', (r) => {
              // the instance refused to switch protocols: pass its answer on and end
              socket.write(statusHead(r, instance));
              pipeline(r, socket, () => {});
              resolve();
            });
            up.once('error', reject);
            up.end();
          }),
        { maxAttempts: options.maxAttempts ?? 3, timeoutMs: options.timeoutMs ?? 30_000 },
      );
    } catch (err) {
      const status = err instanceof NoInstanceError ? '503 Service Unavailable' : '502 Bad Gateway';
      socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    }
  }

  handler.close = async () => {
    agent.destroy();
    await providerPromise?.catch(() => undefined);
    await release();
  };
  return handler;
}

function statusHead(r: IncomingMessage, instance: ServiceInstance): string {
  const lines = [`HTTP/1.1 ${r.statusCode} ${r.statusMessage ?? ''}`];
  for (let i = 0; i < r.rawHeaders.length; i += 2) lines.push(`${r.rawHeaders[i]}: ${r.rawHeaders[i + 1]}`);
  lines.push(`x-zoo-instance: ${instance.id}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && err.name === 'TimeoutError';
}

function json(res: ServerResponse, status: number, value: unknown): void {
  const data = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(data) });
  res.end(data);
}
