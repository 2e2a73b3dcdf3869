import type { ZooServerOptions } from './zoo-server.js';

/** A parsed zoo.cfg: key → value, in file order. */
export type ZooCfg = Map<string, string>;

/** Parses ZooKeeper's zoo.cfg (Java properties: `key=value`, `#`/`!` comments). */
export function parseZooCfg(text: string): ZooCfg {
  const cfg: ZooCfg = new Map();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('!')) return;
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (!m) throw new Error(`zoo.cfg line ${i + 1}: expected key=value, got "${line}"`);
    cfg.set(m[1], m[2].trim());
  });
  return cfg;
}

type Setter = (o: ZooServerOptions, v: string, key: string) => void;

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => (v: string, key: string): number => {
  if (!/^-?\d+$/.test(v)) throw new Error(`invalid value for ${key}: "${v}" is not an integer`);
  const n = Number(v);
  if (n < min || n > max) throw new Error(`invalid value for ${key}: ${n} is outside ${min}..${max}`);
  return n;
};
const bool = (v: string, key: string): boolean => {
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new Error(`invalid value for ${key}: "${v}" is not true or false`);
};

/** The keys that apply to a standalone Zoo server, and how each sets ZooServerOptions. */
const KEYS: Record<string, Setter> = {
  tickTime: (o, v, k) => (o.tickTime = int(1)(v, k)),
  dataDir: (o, v) => (o.dataDir = v),
  dataLogDir: (o, v) => (o.dataLogDir = v),
  clientPort: (o, v, k) => (o.port = int(0, 65535)(v, k)),
  clientPortAddress: (o, v) => (o.host = v),
  secureClientPort: (o, v, k) => (o.secureClientPort = int(0, 65535)(v, k)),
  maxClientCnxns: (o, v, k) => (o.maxClientCnxns = int(0)(v, k)),
  minSessionTimeout: (o, v, k) => {
    const n = int(-1)(v, k);
    if (n > 0) o.minSessionTimeout = n;
  },
  maxSessionTimeout: (o, v, k) => {
    const n = int(-1)(v, k);
    if (n > 0) o.maxSessionTimeout = n;
  },
  snapCount: (o, v, k) => (o.snapCount = int(2)(v, k)),
  'autopurge.snapRetainCount': (o, v, k) => (o.snapRetainCount = int(3)(v, k)),
  'autopurge.purgeInterval': (o, v, k) => (o.purgeInterval = int(0)(v, k)),
  '4lw.commands.whitelist': (o, v) => {
    const words = v.split(',').map((w) => w.trim()).filter(Boolean);
    o.fourLetterWordWhitelist = words.includes('*') ? '*' : words;
  },
  'admin.serverPort': (o, v, k) => (o.adminPort = int(0, 65535)(v, k)),
  'admin.serverAddress': (o, v) => (o.adminHost = v),
  'admin.enableServer': (o, v, k) => {
    if (!bool(v, k)) o.adminPort = undefined;
  },
  'jute.maxbuffer': (o, v, k) => (o.maxBuffer = int(1024)(v, k)),
  superDigest: (o, v, k) => {
    if (!/^[^:]+:[A-Za-z0-9+/=]+$/.test(v)) throw new Error(`invalid value for ${k}: expected user:base64(sha1(user:password))`);
    o.superDigest = v;
  },
  'zookeeper.DigestAuthenticationProvider.superDigest': (o, v, k) => KEYS.superDigest(o, v, k),
  extendedTypesEnabled: (o, v, k) => (o.extendedTypesEnabled = bool(v, k)),
  'zookeeper.extendedTypesEnabled': (o, v, k) => (o.extendedTypesEnabled = bool(v, k)),
  'znode.container.checkIntervalMs': (o, v, k) => (o.containerCheckIntervalMs = int(10)(v, k)),
};

/** Quorum and JVM keys a standalone server has no use for: accepted with a warning. */
const IGNORED = /^(server\.\d+|group\.\d+|weight\.\d+|initLimit|syncLimit|electionAlg|peerType|standaloneEnabled|reconfigEnabled|quorumListenOnAllIPs|preAllocSize|globalOutstandingLimit|syncEnabled|leaderServes|cnxTimeout|metricsProvider\..*|audit\..*|ssl\..*|serverCnxnFactory|authProvider\..*|dynamicConfigFile)$/;

/**
 * Turns a zoo.cfg into ZooServerOptions. Invalid values throw an error naming the key;
 * unknown keys are reported through `warn` and otherwise ignored.
 */
export function serverOptionsFromConfig(cfg: ZooCfg, warn: (message: string) => void = () => {}): ZooServerOptions {
  const options: ZooServerOptions = { host: '0.0.0.0', port: 2181 };
  const enableAdmin = cfg.get('admin.enableServer');
  for (const [key, value] of cfg) {
    const set = KEYS[key];
    if (set) set(options, value, key);
    else if (IGNORED.test(key)) warn(`zoo.cfg: ${key} does not apply to a standalone Zoo server; ignored`);
    else warn(`zoo.cfg: unknown key ${key}; ignored`);
  }
  // ZooKeeper's admin server is on by default at 8080; Zoo's only when a port is given.
  if (enableAdmin === 'false') options.adminPort = undefined;
  if (options.minSessionTimeout && options.maxSessionTimeout && options.minSessionTimeout > options.maxSessionTimeout)
    throw new Error(`invalid session timeouts: minSessionTimeout ${options.minSessionTimeout} > maxSessionTimeout ${options.maxSessionTimeout}`);
  if (options.secureClientPort !== undefined) warn('zoo.cfg: secureClientPort needs TLS key and certificate options (--tls-key/--tls-cert)');
  return options;
}

/** Command-line flags shared by `zoo-server` and `zoo server`. */
export interface ServerFlags {
  port?: number;
  host?: string;
  dataDir?: string;
  config?: string;
  adminPort?: number;
}

/** zoo.cfg (if given) with the flags on top. */
export function serverOptionsFromFlags(flags: ServerFlags, readFile: (path: string) => string, warn: (message: string) => void = () => {}): ZooServerOptions {
  const options: ZooServerOptions = flags.config ? serverOptionsFromConfig(parseZooCfg(readFile(flags.config)), warn) : { host: '127.0.0.1', port: 2181 };
  if (flags.port !== undefined) options.port = flags.port;
  if (flags.host !== undefined) options.host = flags.host;
  if (flags.dataDir !== undefined) options.dataDir = flags.dataDir;
  if (flags.adminPort !== undefined) options.adminPort = flags.adminPort;
  return options;
}
