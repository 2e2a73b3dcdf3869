import type { IncomingMessage } from 'node:http';

/** What goes upstream: bytes we have (and can send again on another instance), or the request stream itself. */
export type UpstreamBody = { kind: 'bytes'; data: Buffer } | { kind: 'stream' };

export class BodyError extends Error {
  override readonly name = 'BodyError';
  readonly status = 500;
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/**
 * The body to send upstream. When a body parser (express.json(), urlencoded(), text(), raw())
 * has already read the stream, the parsed `req.body` is serialised again for its content type,
 * as http-proxy-middleware's fixRequestBody does; otherwise the request streams through.
 */
export function upstreamBody(req: IncomingMessage & { body?: unknown; _body?: boolean }): UpstreamBody {
  if (!hasBody(req)) return { kind: 'bytes', data: Buffer.alloc(0) };
  const consumed = req._body === true || req.readableEnded;
  if (!consumed) return { kind: 'stream' };
  const body = req.body;
  const type = String(req.headers['content-type'] ?? '').toLowerCase();
  if (Buffer.isBuffer(body)) return { kind: 'bytes', data: body };
  if (typeof body === 'string') return { kind: 'bytes', data: Buffer.from(body) };
  if (body !== undefined && body !== null && typeof body === 'object') {
    if (/^application\/([\w.+-]+\+)?json/.test(type)) return { kind: 'bytes', data: Buffer.from(JSON.stringify(body)) };
    if (type.startsWith('application/x-www-form-urlencoded')) return { kind: 'bytes', data: Buffer.from(formEncode(body as Record<string, unknown>)) };
  }
  throw new BodyError(`the request body was already read (by a body parser?) and a "${type || 'no content-type'}" body cannot be re-serialised: mount discoveryProxy before the parser`);
}

/** `a=1&b[c]=2&d=x&d=y`, as qs (Express's extended urlencoded parser) reads it back. */
function formEncode(value: Record<string, unknown>): string {
  const parts: string[] = [];
  const walk = (v: unknown, key: string) => {
    if (Array.isArray(v)) v.forEach((item) => walk(item, key));
    else if (v !== null && typeof v === 'object') for (const [k, inner] of Object.entries(v)) walk(inner, `${key}[${k}]`);
    else parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(v === undefined || v === null ? '' : String(v))}`);
  };
  for (const [k, v] of Object.entries(value)) walk(v, k);
  return parts.join('&');
}
