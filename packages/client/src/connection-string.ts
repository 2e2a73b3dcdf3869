import { normalizeChroot } from '@zoo/core';

export interface HostPort {
  host: string;
  port: number;
}

export interface ConnectionString {
  hosts: HostPort[];
  /** '' when there is none. */
  chroot: string;
}

/**
 * Parses `host:port[,host:port...][/chroot]` as ZooKeeper's ConnectStringParser does:
 * everything from the first '/' is the chroot; the port defaults to 2181; IPv6 hosts are
 * written in brackets (`[::1]:2181`).
 */
export function parseConnectionString(text: string): ConnectionString {
  if (typeof text !== 'string' || text.trim() === '') throw new TypeError('connection string is empty');
  const slash = text.indexOf('/');
  const chroot = normalizeChroot(slash >= 0 ? text.slice(slash) : '');
  const hostList = slash >= 0 ? text.slice(0, slash) : text;
  const hosts = hostList
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean)
    .map((entry) => {
      const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry) ?? /^([^:]+)(?::(\d+))?$/.exec(entry);
      if (!m) throw new TypeError(`invalid host "${entry}" in connection string "${text}" (expected host:port)`);
      const port = m[2] === undefined ? 2181 : Number(m[2]);
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new TypeError(`invalid port in "${entry}" (connection string "${text}")`);
      return { host: m[1], port };
    });
  if (hosts.length === 0) throw new TypeError(`no hosts in connection string "${text}"`);
  return { hosts, chroot };
}

/** Fisher–Yates with an injectable random, so clients spread over an ensemble. */
export function shuffle<T>(items: readonly T[], random: () => number = Math.random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
