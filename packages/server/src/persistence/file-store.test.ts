import { constants } from 'node:fs';
import { readdir, readFile, readlink, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { OpCode, OPEN_ACL_UNSAFE, ZooEngine, FakeClock, type Txn } from '@zoo/core';
import { openTxnStore } from './file-store.js';
import { LOG_HEADER_BYTES, logHeader, scanLog } from './log-format.js';
import { tempDirs } from '../../test/temp-dirs.js';

const LOG_HEADER = logHeader();

const tempDir = tempDirs('zoo-store-');

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

/**
 * A store in `dir` with two snapshots: one after creates of `${prefix}0..9`, one after
 * `${prefix}10..19` (data `data`). The store is left open, for more writes before close().
 */
async function twoSnapshots(dir: string, prefix: string, data?: string) {
  const { engine, create } = engineWithWrites();
  const store = await openTxnStore({ dataDir: dir });
  await store.recover(new ZooEngine());
  for (let i = 0; i < 10; i++) store.append(create(`/${prefix}${i}`));
  await store.sync();
  const first = await store.writeSnapshot(engine);
  for (let i = 10; i < 20; i++) store.append(create(`/${prefix}${i}`, data));
  await store.sync();
  const second = await store.writeSnapshot(engine);
  return { engine, create, store, first, second };
}

const paths = (e: ZooEngine) => [...e.tree.nodes.keys()].filter((p) => !p.startsWith('/zookeeper')).sort();

/** The open flags of this process's descriptors on `path` (Linux: /proc/self/fdinfo). */
async function openFlags(path: string): Promise<number[]> {
  const out: number[] = [];
  for (const fd of await readdir('/proc/self/fd')) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
    if (target !== path) continue;
    const info = await readFile(`/proc/self/fdinfo/${fd}`, 'utf8').catch(() => '');
    const m = /^flags:\s+([0-7]+)/m.exec(info);
    if (m) out.push(parseInt(m[1], 8));
  }
  return out;
}

describe('file store', () => {
  it.runIf(process.platform === 'linux')('keeps the log open with O_DSYNC, so one write is one write + fdatasync', async () => {
    const dir = await tempDir();
    const { engine, create } = engineWithWrites();
    const store = await openTxnStore({ dataDir: dir });
    await store.recover(engine);
    store.append(create('/a'));
    await store.sync();
    const [log] = (await readdir(dir)).filter((n) => n.startsWith('log.'));
    const flags = await openFlags(join(dir, log));
    await store.close();
    expect(flags).toHaveLength(1);
    expect(flags[0] & constants.O_DSYNC).toBe(constants.O_DSYNC);
  });

  it('grows the log in preallocated steps (a hole), writes inside them, and cuts the zeros off when the log is rolled or closed', async () => {
    const dir = await tempDir();
    const { engine, create } = engineWithWrites();
    const step = 64 * 1024;
    const store = await openTxnStore({ dataDir: dir, preAllocBytes: step });
    await store.recover(engine);
    const logPath = async () => join(dir, (await readdir(dir)).filter((n) => n.startsWith('log.')).sort().at(-1)!);
    store.append(create('/a'));
    await store.sync();
    const first = await logPath();
    expect((await stat(first)).size).toBe(step);
    // past the first step: the file grows by whole steps, the records stay contiguous
    for (let i = 0; i < 40; i++) store.append(create(`/big${i}`, 'y'.repeat(2000)));
    await store.sync();
    expect((await stat(first)).size).toBe(2 * step);
    // a crash now leaves records then zeros: recovery reads to the last record
    const crashed = await tempDir();
    await writeFile(join(crashed, first.split('/').at(-1)!), await readFile(first));
    const afterCrash = await recovered(crashed);
    expect(paths(afterCrash.engine)).toEqual(paths(engine));
    expect(afterCrash.report.truncatedBytes).toBe(0);
    // a snapshot rolls the log: the old one is cut back to its records
    await store.writeSnapshot(engine);
    store.append(create('/after'));
    await store.sync();
    const scan = scanLog(await readFile(first));
    expect(scan.kind).toBe('ok');
    expect(scan.records).toBe(41);
    expect((await stat(first)).size).toBe(scan.validBytes);
    const second = await logPath();
    expect(second).not.toBe(first);
    expect((await stat(second)).size).toBe(step);
    await store.close();
    const records = scanLog(await readFile(second));
    expect(records).toMatchObject({ kind: 'ok', records: 1 });
    expect((await stat(second)).size).toBe(records.validBytes);
    expect(paths((await recovered(dir)).engine)).toEqual(paths(engine));
  });

  it('a log of the next name left by a crash (header, zeros) is written on after its header, not after its zeros', async () => {
    const dir = await tempDir();
    const { engine, create } = engineWithWrites();
    // what a crash right after the log was created and extended leaves
    await writeFile(join(dir, 'log.1'), Buffer.concat([Buffer.from(LOG_HEADER), Buffer.alloc(100_000)]));
    const store = await openTxnStore({ dataDir: dir, preAllocBytes: 4096 });
    await store.recover(engine);
    store.append(create('/a'));
    store.append(create('/b'));
    await store.sync();
    await store.close();
    const found: Array<[bigint, number]> = [];
    scanLog(await readFile(join(dir, 'log.1')), (buf, start, _end, offset) => found.push([buf.readBigInt64BE(start), offset]));
    expect(found.map(([zxid]) => zxid)).toEqual([1n, 2n]);
    expect(found[0][1]).toBe(LOG_HEADER_BYTES);
    expect(paths((await recovered(dir)).engine)).toEqual(['/', '/a', '/b']);
  });

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
    // every cut again, now followed by a preallocated tail of zeros, as a crash leaves it
    for (const cut of [lastStart + 1, lastStart + 9, full.length - 1]) {
      await writeFile(join(dir, logName), Buffer.concat([full.subarray(0, cut), Buffer.alloc(4 * 1024 * 1024)]));
      const { engine, report } = await recovered(dir);
      expect(report.replayed, `cut at ${cut}`).toBe(4);
      expect(paths(engine)).toEqual(['/', '/t0', '/t1', '/t2', '/t3']);
      // the damaged record is cut off (with the zeros after it), or was all zeros itself
      const after = scanLog(await readFile(join(dir, logName)));
      expect(after).toMatchObject({ kind: 'ok', records: 4 });
    }
    // a whole last record followed by zeros is not torn, and a record may end in zero bytes
    // (a create txn ends with its parent's create counter: the 256th is 0x00000100)
    const withZeros = await tempDir();
    const s2 = await openTxnStore({ dataDir: withZeros });
    await s2.recover(new ZooEngine());
    const fresh = engineWithWrites();
    for (let i = 0; i < 256; i++) s2.append(fresh.create(`/z${i}`));
    await s2.sync();
    await s2.close();
    const [zeroLog] = (await readdir(withZeros)).filter((n) => n.startsWith('log.'));
    const zeroBytes = await readFile(join(withZeros, zeroLog));
    expect(zeroBytes.at(-1)).toBe(0);
    for (const tail of [0, 3, 1024 * 1024]) {
      await writeFile(join(withZeros, zeroLog), Buffer.concat([zeroBytes, Buffer.alloc(tail)]));
      const r = await recovered(withZeros);
      expect(r.report, `tail ${tail}`).toMatchObject({ replayed: 256, truncatedBytes: 0 });
      expect(r.engine.tree.get('/z255')).toBeDefined();
    }
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
    const { engine, create, store, first, second } = await twoSnapshots(dir, 's');
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

  it('a snapshot that covers the whole log: nothing replayed, and a damaged record in that log still stops the start', async () => {
    const dir = await tempDir();
    const { engine, create } = engineWithWrites();
    const store = await openTxnStore({ dataDir: dir });
    await store.recover(new ZooEngine());
    for (let i = 0; i < 30; i++) store.append(create(`/w${i}`, 'w'.repeat(i)));
    await store.sync();
    const zxid = await store.writeSnapshot(engine);
    await store.close();
    const r = await recovered(dir);
    expect(r.report).toMatchObject({ snapshotZxid: zxid, replayed: 0, truncatedBytes: 0 });
    expect(paths(r.engine)).toEqual(paths(engine));
    expect(r.engine.lastZxid).toBe(engine.lastZxid);
    const [logName] = (await readdir(dir)).filter((n) => n.startsWith('log.')).sort();
    const bytes = await readFile(join(dir, logName));
    bytes[LOG_HEADER_BYTES + 12] ^= 0xff; // inside the first record's payload
    await writeFile(join(dir, logName), bytes);
    await expect(recovered(dir)).rejects.toThrow(/corrupt at offset 8: checksum mismatch/);
    bytes[LOG_HEADER_BYTES + 12] ^= 0xff;
    await writeFile(join(dir, logName), bytes);

    // the next write after that restart goes on from the snapshot's zxid
    const again = await openTxnStore({ dataDir: dir });
    const next = new ZooEngine({ clock: new FakeClock() });
    await again.recover(next);
    const ctx = { watcher: { id: 1 }, sessionId: 0n, authInfo: [{ scheme: 'super', id: '' }] };
    again.append(next.process(ctx, 1, { op: OpCode.create, path: '/later', data: null, acl: [...OPEN_ACL_UNSAFE], flags: 0 }).txn!);
    await again.sync();
    await again.close();
    const later = await recovered(dir);
    expect(later.report).toMatchObject({ snapshotZxid: zxid, replayed: 1 });
    expect(later.engine.tree.get('/later')).toBeDefined();
  });

  it('a snapshot found damaged only by its checksum (it decodes) is taken back whole before the older one is restored', async () => {
    const dir = await tempDir();
    const { engine, store, first, second } = await twoSnapshots(dir, 'd', 'data');
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

  it('a snapshot due while the last one is still being written is skipped and counted afresh, as ZooKeeper does', async () => {
    const dir = await tempDir();
    const { engine, create } = engineWithWrites();
    const warnings: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line).msg) });
    const store = await openTxnStore({ dataDir: dir, snapCount: 2, logger });
    await store.recover(new ZooEngine());
    const snapshots = async () => (await readdir(dir)).filter((n) => n.startsWith('snapshot.') && !n.endsWith('.tmp')).length;
    for (let i = 0; i < 2; i++) store.append(create(`/a${i}`));
    await store.sync();
    store.maybeSnapshot(engine); // starts one, written in the background
    for (let i = 0; i < 2; i++) store.append(create(`/b${i}`));
    await store.sync();
    store.maybeSnapshot(engine); // due again while the first is being written: skipped
    expect(warnings.some((m) => /too busy to snapshot/.test(m))).toBe(true);
    const deadline = Date.now() + 10_000;
    while ((await snapshots()) < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    // the first is written; the skipped one is not taken the moment it ends (that ran snapshots
    // back to back under heavy writes): the count starts again from the skip
    store.maybeSnapshot(engine);
    await new Promise((r) => setTimeout(r, 100));
    expect(await snapshots()).toBe(1);
    // two txns more make the next one due
    for (let i = 0; i < 2; i++) store.append(create(`/c${i}`));
    await store.sync();
    store.maybeSnapshot(engine);
    while ((await snapshots()) < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(await snapshots()).toBe(2);
    await store.close();
    expect(paths((await recovered(dir)).engine)).toEqual(paths(engine));
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
