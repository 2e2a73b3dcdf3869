import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { encodeNotification, OpCode, type WatchNotification } from '@zoo/core';
import { Connection } from './connection.js';
import type { ConnectionHost } from './connection-host.js';
import type { ServerStats } from './server-stats.js';

/**
 * The server's client connections: accepting them (maxClientCnxns per address), finding a
 * session's connection, fanning notifications out to their connections, and forgetting a
 * connection once it closes.
 */
export class ConnectionRegistry {
  private readonly connections = new Set<Connection>();
  private readonly bySession = new Map<bigint, Connection>();
  private readonly perIp = new Map<string, number>();
  /** Connections with notifications queued this turn: flushed once, in a microtask. */
  private readonly dirty = new Set<Connection>();
  private flushScheduled = false;
  private closed = false;

  constructor(
    private readonly options: {
      /** Connections per client address; 0 = unlimited. */
      maxPerIp: number;
      logger: Logger;
      stats: ServerStats;
      /** What the server does when a connection goes (its watches, its place in the commit queue). */
      onClosed(conn: Connection): void;
    },
  ) {}

  get size(): number {
    return this.connections.size;
  }

  all(): readonly Connection[] {
    return [...this.connections];
  }

  /** Live set, for the commit pipeline (which closes those waiting on a failed log). */
  live(): ReadonlySet<Connection> {
    return this.connections;
  }

  session(sessionId: bigint): Connection | undefined {
    return this.bySession.get(sessionId);
  }

  accept(socket: Socket | TLSSocket, host: ConnectionHost<Connection>): void {
    const ip = socket.remoteAddress ?? 'unknown';
    const limit = this.options.maxPerIp;
    const count = this.perIp.get(ip) ?? 0;
    if (this.closed || (limit > 0 && count >= limit)) {
      if (!this.closed) {
        this.options.stats.connectionsRejected++;
        this.options.logger.warn({ ip, limit }, 'too many connections from this address (maxClientCnxns)');
      }
      socket.destroy();
      return;
    }
    this.perIp.set(ip, count + 1);
    this.connections.add(new Connection(socket, host));
  }

  dispatch(notifications: WatchNotification[], zxid: bigint): void {
    for (const n of notifications) {
      const conn = n.watcher instanceof Connection ? n.watcher : undefined;
      if (!conn) continue;
      conn.push({ frame: encodeNotification(n.zxid, n.event), zxid, startedAt: 0, op: OpCode.notification });
      this.dirty.add(conn);
    }
    // one socket write per connection for everything this turn produced (a multi, a burst of
    // pipelined writes), yet before any I/O callback could run
    if (this.dirty.size > 0 && !this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(() => this.flushDirty());
    }
  }

  private flushDirty(): void {
    this.flushScheduled = false;
    const conns = [...this.dirty];
    this.dirty.clear();
    for (const conn of conns) conn.flush();
  }

  sessionOpened(conn: Connection): void {
    const previous = this.bySession.get(conn.sessionId);
    if (previous && previous !== conn) {
      this.options.logger.info({ sessionId: `0x${conn.sessionId.toString(16)}` }, 'session resumed on a new connection: closing the old one');
      previous.destroy();
    }
    this.bySession.set(conn.sessionId, conn);
  }

  connectionClosed(conn: Connection): void {
    if (!this.connections.delete(conn)) return;
    this.options.onClosed(conn);
    this.dirty.delete(conn);
    if (this.bySession.get(conn.sessionId) === conn) this.bySession.delete(conn.sessionId);
    const n = (this.perIp.get(conn.remoteAddress) ?? 1) - 1;
    if (n <= 0) this.perIp.delete(conn.remoteAddress);
    else this.perIp.set(conn.remoteAddress, n);
  }

  /** Refuses new connections from now on and stops reading from the open ones. */
  stopAccepting(): void {
    this.closed = true;
    for (const conn of this.connections) conn.stopReading();
  }

  /** Sends what each connection may still send, then closes it. */
  shutdown(): void {
    for (const conn of [...this.connections]) conn.shutdown();
  }
}
