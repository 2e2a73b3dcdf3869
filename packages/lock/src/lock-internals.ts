import { randomUUID } from 'node:crypto';
import { CreateMode, ZooError, ZooErrorCode } from '@zoo/core';
import { retry, RetryUntilElapsed, type ZooClient, type ZooSession } from '@zoo/client';
import { protectedName, sortBySequence } from './sequence.js';

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
    const client = this.session.client;
    const uuid = randomUUID();
    const node = await this.createNode(client, uuid, options.data);
    try {
      for (;;) {
        options.signal?.throwIfAborted();
        const { children } = await this.persist(client, () => client.getChildren(this.basePath));
        const sorted = sortBySequence(children, this.sortNames);
        const verdict = this.predicate(sorted, node.name);
        if (verdict.acquired) return { ...node, client };
        const remaining = deadline - Date.now();
        if (remaining <= 0) {
          await this.deleteQuietly(client, node.path);
          return null;
        }
        await this.waitForDeletion(client, `${this.basePath}/${verdict.watch}`, remaining, options.signal);
      }
    } catch (err) {
      await this.deleteQuietly(client, node.path);
      throw err;
    }
  }

  private async createNode(client: ZooClient, uuid: string, data?: Buffer): Promise<{ path: string; name: string; czxid: bigint }> {
    const prefix = `${this.basePath}/${protectedName(uuid, this.lockName)}`;
    for (let attempt = 0; ; attempt++) {
      try {
        const { path, stat } = await client.create(prefix, data ?? null, { mode: CreateMode.EPHEMERAL_SEQUENTIAL });
        return { path, name: path.slice(this.basePath.length + 1), czxid: stat.czxid };
      } catch (err) {
        if (!(err instanceof ZooError)) throw err;
        if (err.code === ZooErrorCode.NONODE && attempt < 3) {
          await this.createParents(client);
          continue;
        }
        if (err.code === ZooErrorCode.CONNECTIONLOSS && attempt < 10) {
          // the create may have happened: find our node by its uuid instead of leaving an orphan
          const found = await this.findOurs(client, uuid);
          if (found) return found;
          await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
          continue;
        }
        throw err;
      }
    }
  }

  private async findOurs(client: ZooClient, uuid: string): Promise<{ path: string; name: string; czxid: bigint } | null> {
    for (let i = 0; i < 20; i++) {
      try {
        const { children } = await client.getChildren(this.basePath);
        const name = children.find((c) => c.includes(uuid));
        if (!name) return null;
        const path = `${this.basePath}/${name}`;
        const stat = await client.exists(path);
        return stat ? { path, name, czxid: stat.czxid } : null;
      } catch (err) {
        if (err instanceof ZooError && err.code === ZooErrorCode.CONNECTIONLOSS) {
          await new Promise((r) => setTimeout(r, 100));
          continue;
        }
        if (err instanceof ZooError && err.code === ZooErrorCode.NONODE) return null;
        throw err;
      }
    }
    return null;
  }

  /** Curator makes lock parents containers, so unused lock paths clean themselves up. */
  private async createParents(client: ZooClient): Promise<void> {
    const parts = this.basePath.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      try {
        await client.create(`/${parts.slice(0, i).join('/')}`, null, { mode: 'container' });
      } catch (err) {
        if (!(err instanceof ZooError && err.code === ZooErrorCode.NODEEXISTS)) throw err;
      }
    }
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

  /** Deletes our node, riding out connection loss, so it never outlives the attempt. */
  async deleteQuietly(client: ZooClient, path: string): Promise<void> {
    try {
      await this.persist(client, () => client.delete(path));
    } catch {
      // gone already, or the session is: either way the node will not outlive us
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
