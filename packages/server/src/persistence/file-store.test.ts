import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OpCode, OPEN_ACL_UNSAFE, ZooEngine, FakeClock, type Txn } from '@zoo/core';
import { openTxnStore } from './file-store.js';
import { LOG_HEADER_BYTES, scanLog } from './log-format.js';

const dirs: string[] = [];
afterEach(async () => {
  while (dirs.length) await rm(dirs.pop()!, { recursive: true, force: true });
});
async function tempDir() {
  const d = await mkdtemp(join(tmpdir(), 'zoo-store-'));
  dirs.push(d);
  return d;
}

/** An engine and a helper that runs writes on it and returns their txns. */
function engineWithWrites() {
  const engine = new ZooEngine({ clock: new FakeClock() });
  const ctx = { watcher: { id: 1 }, sessionId: 0n, authInfo: [{ scheme: 'super', id: '' }] };
  const create = (path: string, data = 'x'): Txn => engine.process(ctx, 1, { op: OpCode.create, path, data: Buffer.from(data), acl: [...OPEN_ACL_UNSAFE], flags: 0 }).txn!;
  return { engine, create };
}

async function recovered(dir: string) {
  const engine = new ZooEngine({ clock: new FakeClock() });
  const store = await openTxnStore({ dataDir: dir });
  const report = await store.recover(engine);
  await store.close();
  return { engine, report };
}

const paths = (e: ZooEngine) => [...e.tree.nodes.keys()].filter((p) => !p.startsWith('/zookeeper')).sort();

describe('file store', () => {
  it('logs txns and replays them after a restart', async () => {
    const dir = await tempDir();
    const { engine, create } = engineWithWrites();
    const store = await openTxnStore({ dataDir: dir });
    await store.recover(new ZooEngine());
    for (let i = 0; i < 50; i++) store.append(create(`/n${i}`));
    await store.sync();
    await store.close();
    const { engine: again, report } = await recovered(dir);
    expect(report).toMatchObject({ snapshotZxid: 0n, replayed: 50, truncatedBytes: 0 });
    expect(paths(again)).toEqual(paths(engine));
    expect(again.lastZxid).toBe(engine.lastZxid);
  });

  it('group commit: many appends, one write and one fsync per sync', async () => {
    const dir = await tempDir();
    const { create } = engineWithWrites();
    const fsyncs: number[] = [];
    const store = await openTxnStore({ dataDir: dir, onFsync: (ms) => fsyncs.push(ms) });
    await store.recover(new ZooEngine());
    for (let i = 0; i < 100; i++) store.append(create(`/g${i}`));
    await store.sync();
    expect(fsyncs).toHaveLength(1);
    for (let i = 100; i < 200; i++) store.append(create(`/g${i}`));
    const a = store.sync();
    await new Promise((r) => setImmediate(r)); // the write is in flight now
    for (let i = 200; i < 300; i++) store.append(create(`/g${i}`));
    const b = store.sync();
    const c = store.sync(); // nothing new: no extra fsync
    await Promise.all([a, b, c]);
    expect(fsyncs).toHaveLength(3);
    await store.close();
    expect((await recovered(dir)).report.replayed).toBe(300);
  });

  it('truncates a torn last record at any byte, never losing a committed one', async () => {
    const dir = await tempDir();
    const { create } = engineWithWrites();
    const store = await openTxnStore({ dataDir: dir });
    await store.recover(new ZooEngine());
    for (let i = 0; i < 5; i++) store.append(create(`/t${i}`));
    await store.sync();
    await store.close();
    const [logName] = (await readdir(dir)).filter((n) => n.startsWith('log.'));
    const full = await readFile(join(dir, logName));
    const starts: number[] = [];
    expect(scanLog(full, (_buf, _start, _end, offset) => starts.push(offset)).kind).toBe('ok');
    const lastStart = starts[4];
    for (let cut = lastStart + 1; cut < full.length; cut++) {
      await writeFile(join(dir, logName), full.subarray(0, cut));
      const { engine, report } = await recovered(dir);
      expect(report.replayed, `cut at ${cut}`).toBe(4);
      // a lone zero byte reads as padding, anything else is cut off
      expect(report.truncatedBytes).toBeLessThanOrEqual(cut - lastStart);
      expect(paths(engine)).toEqual(['/', '/t0', '/t1', '/t2', '/t3']);
    }
    // garbage (not zeros) after the last good record is a torn tail too
    await writeFile(join(dir, logName), Buffer.concat([full, Buffer.from('garbage!')]));
    expect((await recovered(dir)).report.replayed).toBe(5);
  });

  it('refuses to start when a record in the middle is corrupt', async () => {
    const dir = await tempDir();
    const { create } = engineWithWrites();
    const store = await openTxnStore({ dataDir: dir });
    await store.recover(new ZooEngine());
    for (let i = 0; i < 5; i++) store.append(create(`/c${i}`));
    await store.sync();
    await store.close();
    const [logName] = (await readdir(dir)).filter((n) => n.startsWith('log.'));
    const bytes = await readFile(join(dir, logName));
    bytes[LOG_HEADER_BYTES + 12] ^= 0xff; // inside the first record's payload
    await writeFile(join(dir, logName), bytes);
    await expect(recovered(dir)).rejects.toThrow(/corrupt at offset 8: checksum mismatch/);
  });

  it('snapshots, replays only what follows, and falls back when the newest snapshot is damaged', async () => {
    const dir = await tempDir();
    const { engine, create } = engineWithWrites();
    const store = await openTxnStore({ dataDir: dir });
    await store.recover(new ZooEngine());
    for (let i = 0; i < 10; i++) store.append(create(`/s${i}`));
    await store.sync();
    const first = await store.writeSnapshot(engine);
    for (let i = 10; i < 20; i++) store.append(create(`/s${i}`));
    await store.sync();
    const second = await store.writeSnapshot(engine);
    for (let i = 20; i < 25; i++) store.append(create(`/s${i}`));
    await store.sync();
    await store.close();
    expect(second).toBeGreaterThan(first);

    let r = await recovered(dir);
    expect(r.report).toMatchObject({ snapshotZxid: second, replayed: 5 });
    expect(paths(r.engine)).toEqual(paths(engine));

    const snapName = `snapshot.${second.toString(16)}`;
    const snap = await readFile(join(dir, snapName));
    snap[20] ^= 0x55;
    await writeFile(join(dir, snapName), snap);
    r = await recovered(dir);
    expect(r.report).toMatchObject({ snapshotZxid: first, replayed: 15 });
    expect(paths(r.engine)).toEqual(paths(engine));
  });

  it('a snapshot found damaged only by its checksum (it decodes) is taken back whole before the older one is restored', async () => {
    const dir = await tempDir();
    const { engine, create } = engineWithWrites();
    const store = await openTxnStore({ dataDir: dir });
    await store.recover(new ZooEngine());
    for (let i = 0; i < 10; i++) store.append(create(`/d${i}`));
    await store.sync();
    const first = await store.writeSnapshot(engine);
    for (let i = 10; i < 20; i++) store.append(create(`/d${i}`, 'data'));
    await store.sync();
    const second = await store.writeSnapshot(engine);
    await store.close();
    const snapName = `snapshot.${second.toString(16)}`;
    const snap = await readFile(join(dir, snapName));
    // a byte of the last node's data: every block still decodes, only the checksum is wrong
    const at = snap.length - 16 - 4 - 1;
    expect(snap[at]).toBe('a'.charCodeAt(0));
    snap[at] = 'b'.charCodeAt(0);
    await writeFile(join(dir, snapName), snap);
    const r = await recovered(dir);
    expect(r.report).toMatchObject({ snapshotZxid: first, replayed: 10 });
    expect(paths(r.engine)).toEqual(paths(engine));
    expect(r.engine.tree.get('/d19')!.data!.toString()).toBe('data');
  });

  it('purge keeps the newest snapshots and the logs they need', async () => {
    const dir = await tempDir();
    const { engine, create } = engineWithWrites();
    const store = await openTxnStore({ dataDir: dir, snapRetainCount: 3, snapCount: 4 });
    await store.recover(new ZooEngine());
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 5; i++) store.append(create(`/p${round}-${i}`));
      await store.sync();
      store.maybeSnapshot(engine);
      await store.sync(); // rolls the log
      // the snapshot is written in the background: wait for it (the next round's could be skipped otherwise)
      const snapshots = async () => (await readdir(dir)).filter((n) => n.startsWith('snapshot.') && !n.endsWith('.tmp')).length;
      const deadline = Date.now() + 10_000;
      while ((await snapshots()) < round + 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      expect(await snapshots()).toBe(round + 1);
    }
    await store.purge();
    await store.close();
    const names = await readdir(dir);
    expect(names.filter((n) => n.startsWith('snapshot.') && !n.endsWith('.tmp'))).toHaveLength(3);
    const { engine: again } = await recovered(dir);
    expect(paths(again)).toEqual(paths(engine));
    expect((await stat(dir)).isDirectory()).toBe(true);
  });
});
