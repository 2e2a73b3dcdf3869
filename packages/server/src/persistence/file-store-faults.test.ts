import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeTxn, FakeClock, OpCode, OPEN_ACL_UNSAFE, ZooEngine, ZooError, type Txn } from '@zoo/core';
import { FaultyFs } from '../../test/faulty-fs.js';
import { openTxnStore } from './file-store.js';
import { logHeader, logRecord, scanLog } from './log-format.js';
import { tempDirs } from '../../test/temp-dirs.js';

/** Where the records of a log file end (what follows may be preallocated zeros). */
async function recordsEnd(path: string): Promise<number> {
  return scanLog(await readFile(path)).validBytes;
}

const tempDir = tempDirs('zoo-faults-');

/** An engine that keeps undo steps, as the server's does, and a store on a FaultyFs. */
async function setup() {
  const dir = await tempDir();
  const fs = new FaultyFs();
  const engine = new ZooEngine({ clock: new FakeClock() });
  engine.keepUndo();
  const store = await openTxnStore({ dataDir: dir, fs });
  await store.recover(engine);
  const ctx = { watcher: { id: 1 }, sessionId: 0n, authInfo: [{ scheme: 'super', id: '' }] };
  const create = (path: string, data = 'x'.repeat(100)): Txn => {
    const txn = engine.process(ctx, 1, { op: OpCode.create, path, data: Buffer.from(data), acl: [...OPEN_ACL_UNSAFE], flags: 0 }).txn!;
    store.append(txn);
    return txn;
  };
  const createMany = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => create(`/${prefix}${i}`));
  return { dir, fs, engine, store, create, createMany };
}

async function recovered(dir: string) {
  const engine = new ZooEngine({ clock: new FakeClock() });
  const store = await openTxnStore({ dataDir: dir });
  const report = await store.recover(engine);
  await store.close();
  return { engine, report, paths: [...engine.tree.nodes.keys()].filter((p) => !p.startsWith('/zookeeper') && p !== '/').sort() };
}

const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `/${prefix}${i}`);
const sorted = (xs: string[]) => [...xs].sort();

describe('file store under faults', () => {
  it('short writes without an error: every byte still reaches the log', async () => {
    const { dir, fs, store, createMany } = await setup();
    createMany('s', 40);
    fs.fail('write', { kind: 'short', bytes: 7 }, 200);
    await store.sync();
    expect(fs.calls.write).toBeGreaterThan(100);
    await store.close();
    const r = await recovered(dir);
    expect(r.paths).toEqual(sorted(names('s', 40)));
    expect(r.report.truncatedBytes).toBe(0);
  });

  it('a write that makes no progress at all is an error, not a success', async () => {
    const { fs, store, createMany } = await setup();
    createMany('z', 3);
    fs.fail('write', { kind: 'short', bytes: 0 }, 5);
    await expect(store.sync()).rejects.toThrow(/no progress/);
  });

  for (const [what, arm] of [
    ['ENOSPC in the middle of a group commit', (fs: FaultyFs) => fs.fail('write', { kind: 'enospc', after: 333 }, 1, 'log.')],
    ['EIO from fdatasync', (fs: FaultyFs) => fs.fail('datasync', { kind: 'eio' }, 1, 'log.')],
    ['EIO from the write', (fs: FaultyFs) => fs.fail('write', { kind: 'eio' }, 1, 'log.')],
  ] as const) {
    it(`${what}: the sync fails, nothing more is taken until repair(), which cuts the torn bytes off; the log then holds exactly the durable txns and what follows`, async () => {
      const { dir, fs, engine, store, createMany } = await setup();
      createMany('a', 10);
      await store.sync();
      const durable = engine.lastZxid;
      const sizeBefore = await recordsEnd(join(dir, (await readdir(dir)).find((n) => n.startsWith('log.'))!));
      createMany('lost', 10);
      arm(fs);
      const err = await store.sync().catch((e: NodeJS.ErrnoException) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as NodeJS.ErrnoException).code).toMatch(/ENOSPC|EIO/);
      // until repair(), appends are dropped (the server rolls them back) and syncs report the failure
      createMany('dropped', 2);
      await expect(store.sync()).rejects.toThrow(/ENOSPC|EIO/);
      engine.rollback(durable);
      // no room yet: stays broken
      fs.free = 1000;
      await expect(store.repair()).rejects.toThrow(/bytes free/);
      fs.free = Number.POSITIVE_INFINITY;
      await store.repair();
      const [logName] = (await readdir(dir)).filter((n) => n.startsWith('log.'));
      // cut back to the durable records: the torn bytes and the preallocated zeros are gone
      expect((await stat(join(dir, logName))).size).toBe(sizeBefore);
      createMany('b', 5);
      await store.sync();
      await store.close();
      const r = await recovered(dir);
      expect(r.paths).toEqual(sorted([...names('a', 10), ...names('b', 5)]));
      expect(r.engine.lastZxid).toBe(engine.lastZxid);
    });
  }

  it('a log whose header could not be written whole is removed, and writing resumes in a fresh one', async () => {
    const { dir, fs, engine, store, createMany } = await setup();
    createMany('h', 2);
    fs.fail('write', { kind: 'enospc', after: 4 }, 1, 'log.');
    await expect(store.sync()).rejects.toThrow(/ENOSPC/);
    expect((await readdir(dir)).filter((n) => n.startsWith('log.'))).toEqual([]);
    engine.rollback(0n);
    await store.repair();
    createMany('h', 3);
    await store.sync();
    await store.close();
    expect((await recovered(dir)).paths).toEqual(sorted(names('h', 3)));
  });

  it('recovery reads a header cut short by a crash as an empty log', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'log.1'), logHeader().subarray(0, 5));
    const r = await recovered(dir);
    expect(r.report).toMatchObject({ replayed: 0 });
  });

  it('a snapshot begun before the log fails is dropped, never renamed into place', async () => {
    const { dir, fs, engine, store, createMany } = await setup();
    createMany('p', 30);
    await store.sync();
    createMany('q', 5); // applied, not yet durable: the snapshot may hold them
    fs.fail('datasync', { kind: 'eio' }, 1, 'log.');
    await expect(store.writeSnapshot(engine)).rejects.toThrow(/abandoned|EIO/);
    expect((await readdir(dir)).filter((n) => n.startsWith('snapshot.'))).toEqual([]);
  });

  it('a snapshot of a state this store never logged (an import) is written and recovered whole', async () => {
    const dir = await tempDir();
    const engine = new ZooEngine({ clock: new FakeClock() });
    const ctx = { watcher: { id: 1 }, sessionId: 0n, authInfo: [{ scheme: 'super', id: '' }] };
    for (let i = 0; i < 5; i++) engine.process(ctx, 1, { op: OpCode.create, path: `/i${i}`, data: null, acl: [...OPEN_ACL_UNSAFE], flags: 0 });
    const store = await openTxnStore({ dataDir: dir });
    expect(await store.writeSnapshot(engine)).toBe(5n);
    await store.close();
    const r = await recovered(dir);
    expect(r.report).toMatchObject({ snapshotZxid: 5n, replayed: 0 });
    expect(r.paths).toEqual(sorted(names('i', 5)));
  });

  it('reports a hole in the zxids with the file and the offset', async () => {
    const dir = await tempDir();
    const records: Buffer[] = [logHeader()];
    const offsets: number[] = [];
    let offset = logHeader().length;
    for (const zxid of [1n, 2n, 4n]) {
      const payload = encodeTxn({ zxid, time: 1, sessionId: 0n, body: { type: OpCode.create, path: `/g${zxid}`, data: null, acl: [...OPEN_ACL_UNSAFE], owner: 0n, parentCreates: Number(zxid) } });
      offsets.push(offset);
      const record = logRecord(payload);
      records.push(record);
      offset += record.length;
    }
    await writeFile(join(dir, 'log.1'), Buffer.concat(records));
    const err = await recovered(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZooError);
    expect((err as Error).message).toContain(`${join(dir, 'log.1')} has a zxid gap at offset ${offsets[2]}: expected 0x3, found 0x4`);
  });
});

