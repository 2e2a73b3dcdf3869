import { randomUUID } from 'node:crypto';
import { CreateMode, ZooError, ZooErrorCode, validatePath } from '@zoo/core';
import type { ZooSession } from '@zoo/client';
import { guaranteedDelete } from './guaranteed-delete.js';
import { Lease } from './lease.js';
import { Mutex, type AcquireOptions } from './mutex.js';
import { createProtected } from './protected-create.js';

const VANISHED = Symbol('vanished');
const MAX_VANISHED_RETRIES = 5;

/**
 * A counting semaphore with Curator's InterProcessSemaphoreV2 protocol:
 *
 *   <path>/locks/_c_<uuid>-lock-<seq>     a mutex taken while a lease is being obtained
 *   <path>/leases/_c_<uuid>-lease-<seq>   one ephemeral node per lease held
 *
 * Holding the `locks/` mutex, a client creates its lease node and proceeds once at most
 * `maxLeases` lease nodes exist, otherwise waits for the leases to change. Deciding by the
 * lease's position instead can deadlock against Curator clients, which follow this protocol.
 */
export class Semaphore {
  private readonly mutex: Mutex;
  private readonly leasesPath: string;

  constructor(
    private readonly session: ZooSession,
    readonly path: string,
    readonly maxLeases: number,
  ) {
    validatePath(path);
    if (!Number.isInteger(maxLeases) || maxLeases < 1) throw new RangeError(`maxLeases must be a positive integer, got ${maxLeases}`);
    this.mutex = new Mutex(session, `${path}/locks`);
    this.leasesPath = `${path}/leases`;
  }

  async acquire(options: AcquireOptions = {}): Promise<Lease> {
    const lease = await this.tryAcquire(options);
    if (!lease) throw new ZooError(ZooErrorCode.OPERATIONTIMEOUT, `OPERATIONTIMEOUT: no lease of ${this.path} within ${options.timeoutMs} ms`, { path: this.path, op: 'acquire' });
    return lease;
  }

  async tryAcquire(options: AcquireOptions = {}): Promise<Lease | null> {
    const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
    for (let attempt = 0; ; attempt++) {
      const result = await this.attempt(deadline, options);
      if (result !== VANISHED) return result;
      // our lease node went before we held (session expiry, or deleted by hand): Curator tries
      // the whole acquisition again, the locks/ mutex included
      if (attempt >= MAX_VANISHED_RETRIES) throw new ZooError(ZooErrorCode.NONODE, `NONODE: lease node under ${this.leasesPath} kept vanishing`, { path: this.leasesPath, op: 'acquire' });
    }
  }

  private async attempt(deadline: number, options: AcquireOptions): Promise<Lease | null | typeof VANISHED> {
    const remainingForLock = deadline - Date.now();
    const lock = await this.mutex.tryAcquire({ signal: options.signal, timeoutMs: Number.isFinite(remainingForLock) ? Math.max(remainingForLock, 0) : undefined });
    if (!lock) return null;
    const client = this.session.client;
    let leasePath: string | undefined;
    try {
      await client.mkdirp(this.leasesPath);
      const created = await createProtected(client, this.leasesPath, 'lease-', randomUUID(), { mode: CreateMode.EPHEMERAL_SEQUENTIAL, createParents: false });
      leasePath = created.path;
      const ours = created.name;
      for (;;) {
        options.signal?.throwIfAborted();
        let changed!: () => void;
        const change = new Promise<void>((r) => (changed = r));
        const { children } = await client.getChildren(this.leasesPath, { watch: () => changed() });
        if (!children.includes(ours)) {
          leasePath = undefined;
          return VANISHED;
        }
        if (children.length <= this.maxLeases) {
          return new Lease({ path: created.path, name: ours, czxid: created.stat.czxid, client }, async () => {
            await guaranteedDelete(client, created.path).catch(() => {});
          });
        }
        const remaining = deadline - Date.now();
        if (remaining <= 0) {
          await guaranteedDelete(client, leasePath).catch(() => {});
          return null;
        }
        await Promise.race([change, new Promise((r) => setTimeout(r, Math.min(remaining, 2 ** 31 - 1)))]);
      }
    } catch (err) {
      if (leasePath) await guaranteedDelete(client, leasePath).catch(() => {});
      if (err instanceof ZooError && err.code === ZooErrorCode.SESSIONEXPIRED) return VANISHED;
      throw err;
    } finally {
      await lock.release();
    }
  }
}
