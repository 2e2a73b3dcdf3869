import { networkInterfaces } from 'node:os';

const WILDCARDS = new Set(['', '0.0.0.0', '::', '::ffff:0.0.0.0']);

/**
 * The address to register for a server: the one it is bound to when that is a specific address
 * (a server on 127.0.0.1 is reachable there only), else the first non-internal IPv4 address of
 * this host (what other hosts can reach), else 127.0.0.1.
 */
export function detectAddress(boundTo?: string): string {
  if (boundTo !== undefined && !WILDCARDS.has(boundTo)) return boundTo;
  for (const list of Object.values(networkInterfaces())) {
    for (const iface of list ?? []) {
      if (iface.family === 'IPv4' && !iface.internal) return iface.address;
    }
  }
  return '127.0.0.1';
}
