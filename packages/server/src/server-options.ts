import type { TlsOptions } from 'node:tls';
import type { Logger } from 'pino';
import type { Clock } from '@zoo/core';
import type { TxnStore } from './persistence/txn-store.js';

/** How a ZooServer is set up (ZooServer.start); zoo.cfg keys map onto these (config.ts). */
export interface ZooServerOptions {
  /** Address of the client port; default 127.0.0.1. */
  host?: string;
  /** Client port; 0 picks a free one; default 2181. */
  port?: number;
  /** Durable mode: transaction log and snapshots here. Without it the server is in-memory. */
  dataDir?: string;
  /** Transaction logs elsewhere (a dedicated disk); default dataDir. */
  dataLogDir?: string;
  tickTime?: number;
  minSessionTimeout?: number;
  maxSessionTimeout?: number;
  /** Concurrent connections per client IP; 0 = unlimited; default 60. */
  maxClientCnxns?: number;
  /** jute.maxbuffer: the largest frame accepted; default 0xfffff. */
  maxBuffer?: number;
  /** Txns between snapshots; default 100,000. */
  snapCount?: number;
  /** preAllocSize: the transaction log grows in steps of this many KiB (a hole, see FileStoreOptions.preAllocBytes); default 65,536 (64 MiB) as ZooKeeper's; 0 = off. */
  preAllocSize?: number;
  /** autopurge.snapRetainCount; default 3. */
  snapRetainCount?: number;
  /** autopurge.purgeInterval in hours; 0 = off. */
  purgeInterval?: number;
  /** 4lw.commands.whitelist: command words, or '*'; default ['srvr']. */
  fourLetterWordWhitelist?: readonly string[] | '*';
  /** admin.serverPort: the admin HTTP server (off unless given). */
  adminPort?: number;
  adminHost?: string;
  /** "super:<base64 sha1>" for the super user. */
  superDigest?: string;
  /** TTL nodes; default on. */
  extendedTypesEnabled?: boolean;
  /** How often empty containers and expired TTL nodes are reaped; default 1000 ms. */
  containerCheckIntervalMs?: number;
  /** A TLS client port too (secureClientPort), with these TLS options. */
  secureClientPort?: number;
  tls?: TlsOptions;
  /** Close connections that send no ConnectRequest within this many ms; 0 = never; default 10,000 (ZooKeeper's sessionlessCnxnTimeout). */
  handshakeTimeoutMs?: number;
  /** Requests read but not yet answered, over all connections, above which reading pauses; default 1000 (zoo.cfg globalOutstandingLimit). */
  globalOutstandingLimit?: number;
  /** Bytes of replies and notifications held for one client above which its requests are not read; default 1 MiB. */
  clientOutputSoftLimit?: number;
  /** Bytes held for all clients above which clients holding output are not read; default 64 MiB. */
  globalOutputLimit?: number;
  /** A client whose held output stays over this many bytes for clientOutputTimeoutMs is disconnected; default 16 MiB. */
  clientOutputHardLimit?: number;
  /** How long held output may stay over clientOutputHardLimit; default 10,000 ms. */
  clientOutputTimeoutMs?: number;
  /** Where txns go, instead of the one dataDir would open (an embedding's own store, or a test's). */
  store?: TxnStore;
  /** After the transaction log fails, how often it is tried again (writes resume once it works); default 1000 ms. */
  logRetryIntervalMs?: number;
  /** pino logger; default silent. */
  logger?: Logger;
  clock?: Clock;
}
