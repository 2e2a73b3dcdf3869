import type { ConnectionOptions } from 'node:tls';
import type { ACL, CreateMode } from '@zoo/core';
import type { OperationOptions } from './dispatcher.js';
import type { ConnectionState, SaslOptions } from './session-loop.js';
import type { WatchedEvent, WatchListener } from './watch-registry.js';

export type { ConnectionState, SaslOptions };
/** The name this type had first; the same union. */
export type ZooState = ConnectionState;

/**
 * What a ZooClient emits, for typed listeners: `client.on('state', (now, before) => ...)`.
 * Every state is also an event of its own name (`client.once('connected', ...)`).
 */
export type ZooClientEvents = {
  state: [state: ConnectionState, previous: ConnectionState];
  /** Every watch notification, after the watch's own listeners ran. */
  watch: [event: WatchedEvent];
  /** A watch listener threw (the client carries on). */
  error: [error: unknown];
  /** The host list changed (updateServerList, or the ensemble tracker after a reconfig). */
  hosts: [connectionString: string];
} & { [S in ConnectionState]: [] };

export interface ZooClientOptions {
  /** Requested session timeout, ms (the server clamps it); default 30,000. */
  sessionTimeout?: number;
  /** How long connect() keeps trying before it gives up; default the session timeout. */
  connectTimeout?: number;
  /** TLS to every server (true, or node:tls options such as ca/cert/key). */
  tls?: boolean | ConnectionOptions;
  /** Accept a read-only server. */
  canBeReadOnly?: boolean;
  /** Largest reply frame accepted; default 0xfffff like the Java client. */
  maxFrameLength?: number;
  /** Try hosts in the given order instead of shuffled. */
  shuffleHosts?: boolean;
  random?: () => number;
  /** Resume an existing session (id and password from another client's sessionId/sessionPassword). */
  session?: { id: bigint; password: Buffer };
  /** Default `timeoutMs` of every call (none by default: a call waits for its reply or the connection's loss). */
  requestTimeout?: number;
  /**
   * Requests on the wire awaiting their reply, at most (default 1000, ZooKeeper's own
   * globalOutstandingLimit); more wait in the client, in order, as they do while the socket
   * pushes back.
   */
  maxInFlight?: number;
  /**
   * Follow the ensemble's dynamic configuration (ZooKeeper 3.5+, like Curator's
   * EnsembleTracker): watch /zookeeper/config and move the host list to its members' client
   * addresses whenever it changes. Off by default.
   */
  ensembleTracker?: boolean;
  /**
   * SASL authentication on every connection before any request, as the Java client does with
   * a JAAS `Client` section: `{ username, password }` for a server whose JAAS `Server` section
   * uses DigestLoginModule (DIGEST-MD5). A refusal is final: state `authFailed`.
   */
  sasl?: SaslOptions;
}

export type CreateModeName = 'persistent' | 'ephemeral' | 'persistentSequential' | 'ephemeralSequential' | 'container' | 'persistentWithTTL' | 'persistentSequentialWithTTL';

export interface CreateOptions extends OperationOptions {
  mode?: CreateMode | CreateModeName;
  acl?: ACL[];
  /** ms, for the TTL modes */
  ttl?: number;
}

export interface WatchOption extends OperationOptions {
  /** A one-shot watcher, called once on the next change (Java semantics). */
  watch?: WatchListener;
}
