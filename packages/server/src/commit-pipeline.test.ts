import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { FakeClock, OpCode, OPEN_ACL_UNSAFE, ZooEngine, ZooError } from '@zoo/core';
import { CommitPipeline, type Ackable } from './commit-pipeline.js';
import type { TxnStore } from './persistence/txn-store.js';

/** A store whose syncs fail, and which says how far its log really got. */
function failingStore(onDisk: () => bigint) {
  let repairs = 0;
  const store: TxnStore = {
    durable: true,
    recover: async () => ({ snapshotZxid: 0n, replayed: 0, truncatedBytes: 0 }),
    append: () => {},
    sync: () => Promise.reject(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' })),
    repair: async () => {
      if (++repairs < 3) throw new Error('still failing');
    },
    durableZxid: onDisk,
    maybeSnapshot: () => {},
    close: async () => {},
    info: () => ({ logBytes: 0, snapshotBytes: 0 }),
  };
  return { store, repairs: () => repairs };
}

function setup(onDisk: () => bigint, connections: Ackable[] = []) {
  const engine = new ZooEngine({ clock: new FakeClock() });
  const { store, repairs } = failingStore(onDisk);
  const pipeline = new CommitPipeline({ store, engine, logger: pino({ level: 'silent' }), connections: () => connections, probeIntervalMs: 5 });
  pipeline.start();
  const ctx = { watcher: { id: 1 }, sessionId: 0n, authInfo: [{ scheme: 'super', id: '' }] };
  const create = (path: string) => {
    const r = engine.process(ctx, 1, { op: OpCode.create, path, data: null, acl: [...OPEN_ACL_UNSAFE], flags: 0 });
    pipeline.commit(r.txn!);
    return r.txn!.zxid;
  };
  const paths = () => [...engine.tree.nodes.keys()].filter((p) => !p.startsWith('/zookeeper') && p !== '/').sort();
  return { engine, pipeline, create, paths, repairs };
}

const outcome = (p: Promise<void>) => p.then(() => 'durable', (e: unknown) => (e instanceof ZooError ? e.codeName : String(e)));

describe('commit pipeline', () => {
  it('on a failed sync: what the store has on disk is kept and acknowledged, the rest rolled back and refused; writes resume once the store repairs', async () => {
    let onDisk = 0n;
    const { engine, pipeline, create, paths, repairs } = setup(() => onDisk);
    const zxids = ['/a', '/b', '/c'].map(create);
    const waits = zxids.map((z) => outcome(pipeline.untilDurable(z)));
    // a snapshot's own sync got the first two onto disk before the failure
    onDisk = zxids[1];
    expect(await Promise.all(waits)).toEqual(['durable', 'durable', 'NOTREADONLY']);
    expect(paths()).toEqual(['/a', '/b']);
    expect(engine.lastZxid).toBe(zxids[1]);
    expect(pipeline.durableZxid).toBe(zxids[1]);
    expect(pipeline.readOnlyReason).toMatch(/transaction log cannot be written \(EIO: i\/o error/);
    const refused = engine.process({ watcher: { id: 1 }, sessionId: 0n, authInfo: [] }, 1, { op: OpCode.create, path: '/d', data: null, acl: [...OPEN_ACL_UNSAFE], flags: 0 });
    expect(refused.err).toBe(-119);
    await new Promise<void>((resolve) => {
      const check = () => (pipeline.readOnlyReason === undefined ? resolve() : setTimeout(check, 5));
      check();
    });
    expect(repairs()).toBe(3);
    await pipeline.close();
  });

  it('closes every connection left holding a frame past the durable zxid, and only those', async () => {
    const flushed: string[] = [];
    const ref: { pipeline?: CommitPipeline } = {};
    const conn = (name: string, holdsUndurable: boolean): Ackable & { destroyed: boolean } => {
      const c = {
        destroyed: false,
        flush: () => {
          flushed.push(name);
          if (holdsUndurable) ref.pipeline!.waitForDurable(c);
        },
        destroy: () => void (c.destroyed = true),
      };
      return c;
    };
    const waitingOne = conn('waiting', true);
    const queuedThisTurn = conn('queued', true);
    const idle = conn('idle', false);
    const { pipeline, create } = setup(() => 0n, [waitingOne, queuedThisTurn, idle]);
    ref.pipeline = pipeline;
    const z = create('/x');
    pipeline.waitForDurable(waitingOne);
    expect(await outcome(pipeline.untilDurable(z))).toBe('NOTREADONLY');
    expect(waitingOne.destroyed).toBe(true);
    expect(queuedThisTurn.destroyed).toBe(true);
    expect(idle.destroyed).toBe(false);
    expect(flushed).toEqual(expect.arrayContaining(['waiting', 'queued', 'idle']));
    await pipeline.close();
  });

  it('warns once for a sync slower than fsyncWarningMs, never for fast ones, and flushes a connection that waits again as the log gets further', async () => {
    const engine = new ZooEngine({ clock: new FakeClock() });
    const delays = [0, 0, 0, 120, 0, 0];
    let syncs = 0;
    const store: TxnStore = {
      durable: true,
      recover: async () => ({ snapshotZxid: 0n, replayed: 0, truncatedBytes: 0 }),
      append: () => {},
      sync: () => new Promise((resolve) => setTimeout(resolve, delays[syncs++] ?? 0)),
      maybeSnapshot: () => {},
      close: async () => {},
      info: () => ({ logBytes: 0, snapshotBytes: 0 }),
    };
    const warnings: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line).msg) });
    const pipeline = new CommitPipeline({ store, engine, logger, connections: () => [], fsyncWarningMs: 60 });
    pipeline.start();
    const ctx = { watcher: { id: 1 }, sessionId: 0n, authInfo: [{ scheme: 'super', id: '' }] };
    let flushes = 0;
    const conn: Ackable = { flush: () => void flushes++, destroy: () => {} };
    for (let i = 0; i < delays.length; i++) {
      const r = engine.process(ctx, 1, { op: OpCode.create, path: `/n${i}`, data: null, acl: [...OPEN_ACL_UNSAFE], flags: 0 });
      pipeline.commit(r.txn!);
      pipeline.waitForDurable(conn);
      await pipeline.untilDurable(r.txn!.zxid);
      // a sync that was fast leaves nothing to warn about, however long after it the timer fires
      if (i === 1) await new Promise((r) => setTimeout(r, 90));
    }
    expect(syncs).toBe(delays.length);
    expect(flushes).toBe(delays.length);
    expect(warnings).toEqual(['transaction log fsync is slow: replies wait for it']);
    await pipeline.close();
  });
});
