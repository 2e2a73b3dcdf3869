import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { ZooError, ZooErrorCode } from '@zoo/core';
import type { ZooClientOptions } from './client-options.js';
import { ZooClient } from './zoo-client.js';

/** What a ZooSession emits, for typed listeners. */
export interface ZooSessionEvents {
  /** A new session (the first one, or one after expiry): re-create ephemerals, re-set watches. */
  session: [client: ZooClient];
  /** The same session is back after a disconnect: check what may have changed meanwhile. */
  reconnected: [client: ZooClient];
  disconnected: [client: ZooClient];
  /** The session expired; a new one is being made. */
  expired: [client: ZooClient];
}

/**
 * Keeps a usable client for recipes across session expiry (Curator's job for its recipes): a
 * ZooClient's session ends for good when it expires, so this makes a new client then. Recipes
 * listen to `session` (a new session: re-create ephemerals, re-set watches) and `reconnected`
 * (same session back after a disconnect: check what may have changed).
 */
export class ZooSession extends EventEmitter<ZooSessionEvents> implements AsyncDisposable {
  private current?: ZooClient;
  private closed = false;
  private renewing?: Promise<void>;
  private starting?: Promise<ZooClient>;
  /** Aborted by close(): a renewal's connect attempt and its wait before the next one end at once. */
  private readonly closing = new AbortController();

  constructor(
    readonly connectionString: string,
    private readonly options: ZooClientOptions = {},
  ) {
    super();
  }

  /** A session over an existing client; a new client is made with the same settings on expiry. */
  static from(client: ZooClient, connectionString: string, options: ZooClientOptions = {}): ZooSession {
    const s = new ZooSession(connectionString, options);
    s.adopt(client);
    return s;
  }

  /** The current client (throws before start()). */
  get client(): ZooClient {
    if (!this.current) throw new Error('ZooSession: not started (await start())');
    return this.current;
  }

  get started(): boolean {
    return !!this.current;
  }

  /** Connects the first client; concurrent calls share one attempt. */
  start(): Promise<ZooClient> {
    if (this.current) return Promise.resolve(this.current);
    this.starting ??= (async () => {
      try {
        const client = await ZooClient.connect(this.connectionString, this.options);
        if (this.closed) {
          // closed while connecting: the client is ours to close, not to hand out
          await client.close();
          throw new ZooError(ZooErrorCode.CONNECTIONLOSS, 'ZooSession: closed while starting');
        }
        this.adopt(client);
        return client;
      } finally {
        this.starting = undefined;
      }
    })();
    return this.starting;
  }

  private adopt(client: ZooClient): void {
    this.current = client;
    client.on('state', (state, previous) => {
      if (client !== this.current || this.closed) return;
      if (state === 'connected' && previous === 'disconnected') this.emit('reconnected', client);
      if (state === 'disconnected') this.emit('disconnected', client);
      if (state === 'expired') void this.renew();
    });
    this.emit('session', client);
  }

  /** Replaces an expired client, retrying until it connects or the session is closed. */
  private renew(): Promise<void> {
    this.renewing ??= (async () => {
      if (this.current) this.emit('expired', this.current);
      let delay = 100;
      while (!this.closed) {
        try {
          const client = new ZooClient(this.connectionString, this.options);
          await client.connect({ signal: this.closing.signal });
          if (this.closed) {
            await client.close();
            return;
          }
          const old = this.current;
          this.adopt(client);
          void old?.close();
          return;
        } catch {
          // (a connect that gave up, or was aborted, closed its client)
          await sleep(delay, undefined, { signal: this.closing.signal }).catch(() => {});
          delay = Math.min(delay * 2, 5000);
        }
      }
    })().finally(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }

  async close(): Promise<void> {
    this.closed = true;
    // (a renewal that cannot reach a server would otherwise hold close() until its attempt times out)
    this.closing.abort();
    await this.starting?.catch(() => {});
    await this.renewing;
    await this.current?.close();
  }

  /**
   * Stops following the current client without closing it (a client the caller lent with
   * `from()` stays theirs): no more events, and no new client when it expires.
   */
  detach(): void {
    this.closed = true;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
