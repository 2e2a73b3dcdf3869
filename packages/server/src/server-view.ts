import type { AdmissionStats } from './admission.js';
import type { Connection } from './connection.js';
import type { StoreInfo } from './persistence/txn-store.js';
import type { ServerState } from './server-state.js';
import type { ServerStats } from './server-stats.js';
import type { ZooServerOptions } from './server-options.js';

/** What observers see of a connection: its figures (and `srst`'s reset of them), not its socket's controls. */
export type ConnectionView = Pick<
  Connection,
  | 'remoteAddress'
  | 'remotePort'
  | 'sessionId'
  | 'sessionTimeout'
  | 'ctx'
  | 'socket'
  | 'outstanding'
  | 'outputBytes'
  | 'packetsReceived'
  | 'packetsSent'
  | 'establishedAt'
  | 'lastCxid'
  | 'lastZxid'
  | 'lastOp'
  | 'lastResponseAt'
  | 'lastLatency'
  | 'minLatency'
  | 'maxLatency'
  | 'totalLatency'
  | 'latencyCount'
  | 'resetStats'
>;

/**
 * What the observers (four-letter words, admin HTTP, metrics) may read of a running server:
 * the durable state, counters and connections' figures — nothing they could write through,
 * as Connection gets only ConnectionHost.
 */
export interface ServerView {
  readonly state: ServerState;
  readonly stats: ServerStats;
  readonly options: Readonly<ZooServerOptions>;
  readonly handshakeTimeoutMs: number;
  readonly port: number;
  readonly securePort: number | undefined;
  readonly connectionCount: number;
  readonly admissionStats: AdmissionStats;
  allConnections(): readonly ConnectionView[];
  storeInfo(): StoreInfo;
}
