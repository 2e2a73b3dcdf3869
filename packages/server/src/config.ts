import { readFileSync } from 'node:fs';
import type { TlsOptions } from 'node:tls';
import type { ZooServerOptions } from './server-options.js';

/** Reads a key, certificate or keystore file (binary: PKCS12 is not text). */
export type ReadBytes = (path: string) => Buffer;
const readBytesFromDisk: ReadBytes = (path) => readFileSync(path);

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
  // ZooKeeper passes unknown zoo.cfg keys on as zookeeper.* system properties: both spellings work
  globalOutstandingLimit: (o, v, k) => (o.globalOutstandingLimit = int(1)(v, k)),
  'zookeeper.globalOutstandingLimit': (o, v, k) => (o.globalOutstandingLimit = int(1)(v, k)),
  // in KiB, as ZooKeeper's; 0 turns preallocation off
  preAllocSize: (o, v, k) => (o.preAllocSize = int(0)(v, k)),
  'zookeeper.preAllocSize': (o, v, k) => (o.preAllocSize = int(0)(v, k)),
  // Zoo's own output limits (ZooKeeper has none: its replies queue without bound)
  clientOutputSoftLimit: (o, v, k) => (o.clientOutputSoftLimit = int(1)(v, k)),
  clientOutputHardLimit: (o, v, k) => (o.clientOutputHardLimit = int(1)(v, k)),
  clientOutputTimeoutMs: (o, v, k) => (o.clientOutputTimeoutMs = int(1)(v, k)),
  globalOutputLimit: (o, v, k) => (o.globalOutputLimit = int(1)(v, k)),
};

/** Quorum and JVM keys a standalone server has no use for: accepted with a warning. */
const IGNORED = /^(server\.\d+|group\.\d+|weight\.\d+|initLimit|syncLimit|electionAlg|peerType|standaloneEnabled|reconfigEnabled|quorumListenOnAllIPs|preAllocSize|syncEnabled|leaderServes|cnxTimeout|metricsProvider\..*|audit\..*|ssl\.quorum\..*|sslQuorum|serverCnxnFactory|authProvider\..*|dynamicConfigFile)$/;

/** ZooKeeper's TLS keys for the secure client port, read after the others. */
const SSL_KEYS = new Set(['ssl.keyStore.location', 'ssl.keyStore.password', 'ssl.keyStore.type', 'ssl.trustStore.location', 'ssl.trustStore.password', 'ssl.trustStore.type', 'ssl.clientAuth']);

type StoreType = 'PEM' | 'PKCS12' | 'JKS' | 'BCFKS';

/** The keystore type as ZooKeeper infers it: the explicit type, else the file extension. */
function storeType(cfg: ZooCfg, which: 'keyStore' | 'trustStore', location: string): StoreType {
  const key = `ssl.${which}.type`;
  const explicit = cfg.get(key)?.toUpperCase();
  if (explicit) {
    if (explicit === 'PEM' || explicit === 'PKCS12' || explicit === 'JKS' || explicit === 'BCFKS') return explicit;
    throw new Error(`invalid value for ${key}: "${cfg.get(key)}" is not PEM, PKCS12, JKS or BCFKS`);
  }
  if (/\.pem$/i.test(location)) return 'PEM';
  if (/\.(p12|pfx)$/i.test(location)) return 'PKCS12';
  if (/\.jks$/i.test(location)) return 'JKS';
  throw new Error(`cannot tell the type of ssl.${which}.location "${location}": set ssl.${which}.type (PEM or PKCS12)`);
}

/** ZooKeeper's ssl.* settings as node:tls options (PEM or PKCS12 stores; Java-only JKS/BCFKS are refused). */
function tlsFromConfig(cfg: ZooCfg, readBytes: ReadBytes): TlsOptions | undefined {
  const keyStore = cfg.get('ssl.keyStore.location');
  const trustStore = cfg.get('ssl.trustStore.location');
  if (!keyStore) {
    if (trustStore) throw new Error('ssl.trustStore.location is set but ssl.keyStore.location is not: the secure port needs the server key and certificate');
    return undefined;
  }
  const read = (key: string, path: string) => {
    try {
      return readBytes(path);
    } catch (err) {
      throw new Error(`cannot read ${key} "${path}": ${(err as Error).message}`);
    }
  };
  const tls: TlsOptions = {};
  const password = cfg.get('ssl.keyStore.password') || undefined;
  const type = storeType(cfg, 'keyStore', keyStore);
  if (type === 'JKS' || type === 'BCFKS') throw new Error(`invalid value for ssl.keyStore.type: ${type} is a Java keystore; convert it to PKCS12 or PEM (keytool -importkeystore)`);
  const bytes = read('ssl.keyStore.location', keyStore);
  if (type === 'PEM') {
    // one PEM file holds the private key and the certificate chain, as ZooKeeper's PEM keystore does
    tls.key = bytes;
    tls.cert = bytes;
  } else {
    tls.pfx = bytes;
  }
  if (password) tls.passphrase = password;
  if (trustStore) {
    const t = storeType(cfg, 'trustStore', trustStore);
    if (t !== 'PEM') throw new Error(`invalid value for ssl.trustStore.type: ${t} trust stores are not supported; use a PEM file of CA certificates`);
    tls.ca = read('ssl.trustStore.location', trustStore);
  }
  Object.assign(tls, clientAuth(cfg.get('ssl.clientAuth') ?? 'need', 'ssl.clientAuth'));
  return tls;
}

/** ZooKeeper's ssl.clientAuth: need (its default), want or none. */
export function clientAuth(value: string, key: string): Pick<TlsOptions, 'requestCert' | 'rejectUnauthorized'> {
  switch (value.toLowerCase()) {
    case 'need':
      return { requestCert: true, rejectUnauthorized: true };
    case 'want':
      return { requestCert: true, rejectUnauthorized: false };
    case 'none':
      return { requestCert: false, rejectUnauthorized: false };
    default:
      throw new Error(`invalid value for ${key}: "${value}" is not need, want or none`);
  }
}

/**
 * Turns a zoo.cfg into ZooServerOptions. Invalid values throw an error naming the key;
 * unknown keys are reported through `warn` and otherwise ignored.
 */
export function serverOptionsFromConfig(cfg: ZooCfg, warn: (message: string) => void = () => {}, readBytes: ReadBytes = readBytesFromDisk): ZooServerOptions {
  const options: ZooServerOptions = { host: '0.0.0.0', port: 2181 };
  const enableAdmin = cfg.get('admin.enableServer');
  for (const [key, value] of cfg) {
    const set = KEYS[key];
    if (set) set(options, value, key);
    else if (SSL_KEYS.has(key)) continue;
    else if (IGNORED.test(key)) warn(`zoo.cfg: ${key} does not apply to a standalone Zoo server; ignored`);
    else warn(`zoo.cfg: unknown key ${key}; ignored`);
  }
  // ZooKeeper's admin server is on by default at 8080; Zoo's only when a port is given.
  if (enableAdmin === 'false') options.adminPort = undefined;
  if (options.minSessionTimeout && options.maxSessionTimeout && options.minSessionTimeout > options.maxSessionTimeout)
    throw new Error(`invalid session timeouts: minSessionTimeout ${options.minSessionTimeout} > maxSessionTimeout ${options.maxSessionTimeout}`);
  const tls = tlsFromConfig(cfg, readBytes);
  if (tls) {
    options.tls = tls;
    if (options.secureClientPort === undefined) warn('zoo.cfg: ssl.keyStore.location is set but secureClientPort is not: no TLS port will be opened');
  }
  return options;
}

/** Command-line flags shared by `zoo-server` and `zoo server`. */
export interface ServerFlags {
  port?: number;
  host?: string;
  dataDir?: string;
  config?: string;
  adminPort?: number;
  /** secureClientPort */
  securePort?: number;
  /** PEM private key of the secure port */
  tlsKey?: string;
  /** PEM certificate chain of the secure port */
  tlsCert?: string;
  /** PEM CA certificates that client certificates must chain to */
  tlsCa?: string;
  /** need | want | none (ZooKeeper's ssl.clientAuth); default need when tlsCa is given, else none */
  tlsClientAuth?: string;
}

/** zoo.cfg (if given) with the flags on top. */
export function serverOptionsFromFlags(
  flags: ServerFlags,
  readFile: (path: string) => string,
  warn: (message: string) => void = () => {},
  readBytes: ReadBytes = readBytesFromDisk,
): ZooServerOptions {
  const options: ZooServerOptions = flags.config ? serverOptionsFromConfig(parseZooCfg(readFile(flags.config)), warn, readBytes) : { host: '127.0.0.1', port: 2181 };
  if (flags.port !== undefined) options.port = flags.port;
  if (flags.host !== undefined) options.host = flags.host;
  if (flags.dataDir !== undefined) options.dataDir = flags.dataDir;
  if (flags.adminPort !== undefined) options.adminPort = flags.adminPort;
  if (flags.securePort !== undefined) options.secureClientPort = flags.securePort;
  if (flags.tlsKey !== undefined || flags.tlsCert !== undefined) {
    if (flags.tlsKey === undefined || flags.tlsCert === undefined) throw new Error('--tls-key and --tls-cert go together');
    const tls: TlsOptions = { key: readBytes(flags.tlsKey), cert: readBytes(flags.tlsCert) };
    if (flags.tlsCa !== undefined) tls.ca = readBytes(flags.tlsCa);
    Object.assign(tls, clientAuth(flags.tlsClientAuth ?? (flags.tlsCa !== undefined ? 'need' : 'none'), '--tls-client-auth'));
    options.tls = tls;
  } else if (flags.tlsCa !== undefined || flags.tlsClientAuth !== undefined) {
    throw new Error('--tls-ca and --tls-client-auth need --tls-key and --tls-cert');
  }
  if (options.secureClientPort !== undefined && !options.tls)
    throw new Error('a secure client port needs a key and certificate: --tls-key/--tls-cert, or ssl.keyStore.location in zoo.cfg');
  return options;
}
