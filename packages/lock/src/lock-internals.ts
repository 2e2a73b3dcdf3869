import { randomUUID } from 'node:crypto';
import { CreateMode, ZooError, ZooErrorCode } from '@zoo/core';
import { retry, RetryUntilElapsed, type ZooClient, type ZooSession } from '@zoo/client';
import { guaranteedDelete } from './guaranteed-delete.js';
import { createProtected, type CreatedNode } from './protected-create.js';
import { sortBySequence } from './sequence.js';

/** How many times an attempt whose node vanished is started again (Curator: as the retry policy allows). */
const MAX_VANISHED_RETRIES = 5;

/** Our node went (with the session, or deleted by hand) before we held: the attempt starts over. */
class NodeVanished extends Error {
  constructor(
    readonly client: ZooClient,
    override readonly cause: ZooError,
  ) {
    super(cause.message);
  }
}

/** Decides, from the sorted children, whether our node holds, and if not which node to wait for. */
export type LockPredicate = (sorted: readonly string[], ours: string) => { acquired: true } | { acquired: false; watch: string };

/** Standard rule: the first `maxLeases` nodes hold; a waiter watches the node `maxLeases` before it (no herd). */
export function standardPredicate(maxLeases: number): LockPredicate {
  return (sorted, ours) => {
    const i = sorted.indexOf(ours);
    if (i < 0) throw new ZooError(ZooErrorCode.NONODE, `lock node ${ours} disappeared`, { op: 'lock' });
    return i < maxLeases ? { acquired: true } : { acquired: false, watch: sorted[i - maxLeases] };
  };
}

export interface AcquiredNode {
  /** Full path of our node. */
  path: string;
  name: string;
  czxid: bigint;
  client: ZooClient;
}

/**
 * The wait-for-predecessor machinery every lock recipe shares (Curator's LockInternals):
 * create a protected ephemeral-sequential node, then until the predicate says we hold, wait
 * for the node it names to go. A connection loss during create is recovered by finding our
 * node through its uuid; a timeout or abort deletes our node before giving up.
 */
export class LockInternals {
  constructor(
    private readonly session: ZooSession,
    readonly basePath: string,
    private readonly lockName: string,
    private readonly sortNames: readonly string[],
    private readonly predicate: LockPredicate,
  ) {}

  async acquire(options: { signal?: AbortSignal; timeoutMs?: number; data?: Buffer } = {}): Promise<AcquiredNode | null> {
    const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.attempt(deadline, options);
      } catch (err) {
        // Our node vanished before we held (the session expired between create and check, or
        // someone deleted it): Curator tries the whole attempt again, on the new session if need be.
        if (!(err instanceof NodeVanished) || attempt >= MAX_VANISHED_RETRIES) throw err instanceof NodeVanished ? err.cause : err;
        await this.nextSession(err.client, deadline, options.signal);
      }
    }
  }

  private async attempt(deadline: number, options: { signal?: AbortSignal; data?: Buffer }): Promise<AcquiredNode | null> {
    options.signal?.throwIfAborted();
    const client = this.session.client;
    let node: CreatedNode;
    try {
      node = await createProtected(client, this.basePath, this.lockName, randomUUID(), { data: options.data, mode: CreateMode.EPHEMERAL_SEQUENTIAL });
    } catch (err) {
      if (err instanceof ZooError && err.code === ZooErrorCode.SESSIONEXPIRED) throw new NodeVanished(client, err);
      throw err;
    }
    try {
      for (;;) {
        options.signal?.throwIfAborted();
        const { children } = await this.persist(client, () => client.getChildren(this.basePath));
        const sorted = sortBySequence(children, this.sortNames);
        if (!sorted.includes(node.name)) throw new NodeVanished(client, new ZooError(ZooErrorCode.NONODE, `lock node ${node.path} disappeared`, { path: node.path, op: 'lock' }));
        const verdict = this.predicate(sorted, node.name);
        if (verdict.acquired) return { path: node.path, name: node.name, czxid: node.stat.czxid, client };
        const remaining = deadline - Date.now();
        if (remaining <= 0) {
          await this.deleteQuietly(client, node.path);
          return null;
        }
        await this.waitForDeletion(client, `${this.basePath}/${verdict.watch}`, remaining, options.signal);
      }
    } catch (err) {
      await this.deleteQuietly(client, node.path);
      if (err instanceof ZooError && err.code === ZooErrorCode.SESSIONEXPIRED) throw new NodeVanished(client, err);
      throw err;
    }
  }

  /** After an expiry, waits for the session's next client (bounded by the deadline and the signal). */
  private async nextSession(old: ZooClient, deadline: number, signal?: AbortSignal): Promise<void> {
    if (this.session.client !== old || (old.state !== 'expired' && old.state !== 'closed')) return;
    await new Promise<void>((resolve, reject) => {
      const done = (err?: unknown) => {
        this.session.off('session', onSession);
        signal?.removeEventListener('abort', onAbort);
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      const onSession = () => done();
      const onAbort = () => done(signal!.reason);
      const remaining = deadline - Date.now();
      const timer = setTimeout(() => done(new ZooError(ZooErrorCode.SESSIONEXPIRED, `SESSIONEXPIRED: no new session for lock ${this.basePath} before the deadline`)), Math.min(Math.max(remaining, 0), 2 ** 31 - 1));
      this.session.on('session', onSession);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Resolves when `path` is deleted (or already gone), after `ms`, or on abort. */
  private waitForDeletion(client: ZooClient, path: string, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let done = false;
      const finish = (err?: unknown) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        client.off('state', onState);
        if (err) reject(err);
        else resolve();
      };
      const timer = setTimeout(() => finish(), Math.min(ms, 2 ** 31 - 1));
      const onAbort = () => finish(signal!.reason);
      const onState = (state: string) => {
        if (state === 'expired' || state === 'closed') finish(new ZooError(ZooErrorCode.SESSIONEXPIRED, `SESSIONEXPIRED: lost the session while waiting for ${path}`));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      client.on('state', onState);
      // getData with a watch: fires on delete (or change); NONODE means it is already gone
      client.getData(path, { watch: () => finish() }).catch((err) => {
        if (err instanceof ZooError && err.code === ZooErrorCode.NONODE) finish();
        // connection loss: go round again (the caller re-reads the children)
        else if (err instanceof ZooError && err.code === ZooErrorCode.CONNECTIONLOSS) setTimeout(() => finish(), 100);
        else finish(err);
      });
    });
  }

  /**
   * Deletes our node, retrying through connection loss until the session ends (Curator's
   * guaranteed delete), so it never outlives the attempt or the lease.
   */
  async deleteQuietly(client: ZooClient, path: string): Promise<void> {
    try {
      await guaranteedDelete(client, path);
    } catch {
      // NOAUTH and the like: nothing a retry can fix
    }
  }

  /**
   * Retries an idempotent step through connection loss while the session may still be alive
   * (a failover to another ensemble member keeps it), as Curator's framework does.
   */
  private persist<T>(client: ZooClient, fn: () => Promise<T>): Promise<T> {
    return retry(fn, new RetryUntilElapsed(Math.max(client.sessionTimeout, 1000), 100));
  }
}
