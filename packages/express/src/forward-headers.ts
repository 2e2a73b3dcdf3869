import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/** Headers about one connection (RFC 9110 §7.6.1 and the usual non-standard ones), never forwarded. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'];

/**
 * The end-to-end headers of a message: drops the hop-by-hop headers and every header the
 * `Connection` header names. With `upgrade`, `Connection: upgrade` and `Upgrade` are kept so a
 * WebSocket (or other protocol) switch can be asked of the next hop.
 */
export function endToEnd(headers: IncomingHttpHeaders, options: { upgrade?: boolean } = {}): OutgoingHttpHeaders {
  const connection = headers.connection;
  const named = (Array.isArray(connection) ? connection.join(',') : (connection ?? ''))
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  const drop = new Set([...HOP_BY_HOP, ...named]);
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !drop.has(name)) out[name] = value;
  if (options.upgrade && headers.upgrade) {
    out.connection = 'upgrade';
    out.upgrade = headers.upgrade;
  }
  return out;
}

/** Adds X-Forwarded-For (appended), -Proto and -Host (kept when a proxy before us set them). */
export function addForwarded(out: OutgoingHttpHeaders, incoming: IncomingHttpHeaders, remoteAddress: string | undefined, proto: string): void {
  out['x-forwarded-for'] = [incoming['x-forwarded-for'], remoteAddress].filter(Boolean).join(', ');
  out['x-forwarded-proto'] = incoming['x-forwarded-proto'] ?? proto;
  const host = incoming['x-forwarded-host'] ?? incoming.host;
  if (host) out['x-forwarded-host'] = host;
}
