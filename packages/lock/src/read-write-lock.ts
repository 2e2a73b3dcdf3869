import { validatePath, ZooError, ZooErrorCode } from '@zoo/core';
import type { ZooSession } from '@zoo/client';
import { Lease } from './lease.js';
import { LockInternals, standardPredicate, type LockPredicate } from './lock-internals.js';
import type { AcquireOptions } from './mutex.js';

const READ = '__READ__';
const WRITE = '__WRIT__';

/** A reader holds unless a writer's node comes before it; then it waits for that writer. */
const readPredicate: LockPredicate = (sorted, ours) => {
  let firstWrite = Infinity;
  let index = -1;
  for (let i = 0; i < sorted.length; i++) {
    if (sorted[i].includes(WRITE)) firstWrite = Math.min(firstWrite, i);
    else if (sorted[i] === ours) {
      index = i;
      break;
    }
  }
  if (index < 0) throw new Error(`read lock node ${ours} disappeared`);
  return index < firstWrite ? { acquired: true } : { acquired: false, watch: sorted[firstWrite] };
};

/**
 * Curator's InterProcessReadWriteLock protocol: `__READ__` and `__WRIT__` sequential nodes side
 * by side under one path, ordered by their sequence. Many readers or one writer.
 */
export class ReadWriteLock {
  private readonly reads: LockInternals;
  private readonly writes: LockInternals;

  constructor(
    private readonly session: ZooSession,
    readonly path: string,
  ) {
    validatePath(path);
    this.reads = new LockInternals(session, path, READ, [READ, WRITE], readPredicate);
    this.writes = new LockInternals(session, path, WRITE, [READ, WRITE], standardPredicate(1));
  }

  readLock(options: AcquireOptions = {}): Promise<Lease> {
    return this.take(this.reads, options, 'read');
  }

  writeLock(options: AcquireOptions = {}): Promise<Lease> {
    return this.take(this.writes, options, 'write');
  }

  private async take(internals: LockInternals, options: AcquireOptions, kind: string): Promise<Lease> {
    if (!this.session.started) await this.session.start();
    const node = await internals.acquire(options);
    if (!node) {
      throw new ZooError(ZooErrorCode.OPERATIONTIMEOUT, `OPERATIONTIMEOUT: ${kind} lock ${this.path} not acquired within ${options.timeoutMs} ms`, { path: this.path });
    }
    return new Lease(node, (l) => internals.deleteQuietly(node.client, l.path));
  }
}
