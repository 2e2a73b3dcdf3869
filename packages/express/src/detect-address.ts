import { networkInterfaces } from 'node:os';

/** The first non-internal IPv4 address of this host (what other hosts can reach), else 127.0.0.1. */
export function detectAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const iface of list ?? []) {
      if (iface.family === 'IPv4' && !iface.internal) return iface.address;
    }
  }
  return '127.0.0.1';
}
