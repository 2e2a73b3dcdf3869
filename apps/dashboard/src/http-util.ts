import type { IncomingMessage, ServerResponse } from 'node:http';
import { ZooError, ZooErrorCode } from '@zoo/core';

/** A request the API refuses, with the HTTP status to answer. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body, (_, v) => (typeof v === 'bigint' ? v.toString() : v)));
}

const MAX_BODY = 1024 * 1024;

/**
 * The request's JSON body. Writes must say `content-type: application/json`: a browser sends
 * that cross-origin only after a CORS preflight this server never grants, so another site's
 * page cannot make an operator's browser change the tree.
 */
export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) throw new HttpError(415, 'send the body as JSON (content-type: application/json)');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError(413, `body over ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    throw new HttpError(400, `body is not JSON: ${(err as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'body must be a JSON object');
  return body as Record<string, unknown>;
}

/** The HTTP status for a ZooKeeper error code (the name goes into the answer as `code`). */
export function statusOf(err: ZooError): number {
  switch (err.code) {
    case ZooErrorCode.NONODE:
      return 404;
    case ZooErrorCode.NODEEXISTS:
    case ZooErrorCode.BADVERSION:
    case ZooErrorCode.NOTEMPTY:
    case ZooErrorCode.NOCHILDRENFOREPHEMERALS:
      return 409;
    case ZooErrorCode.NOAUTH:
      return 403;
    case ZooErrorCode.BADARGUMENTS:
    case ZooErrorCode.INVALIDACL:
      return 400;
    case ZooErrorCode.CONNECTIONLOSS:
    case ZooErrorCode.SESSIONEXPIRED:
    case ZooErrorCode.OPERATIONTIMEOUT:
      return 503;
    default:
      return 500;
  }
}

export function stringField(body: Record<string, unknown>, name: string, required = true): string | undefined {
  const v = body[name];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string') throw new HttpError(400, `"${name}" must be a string`);
  return v;
}

export function intField(value: unknown, name: string): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < -1) throw new HttpError(400, `"${name}" must be an integer >= -1 (got ${JSON.stringify(value)})`);
  return n;
}
