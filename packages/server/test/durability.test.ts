import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fourLetterWord } from '@zoo/zookeeper';
import { OpCode, OPEN_ACL_UNSAFE, ZooError, ZooErrorCode, type Request } from '@zoo/core';
import { openTxnStore, ZooServer } from '../src/index.js';
import { FaultyFs, type Fault } from './faulty-fs.js';
import { RawClient, until, type Reply } from './raw-client.js';

// The server on a fault-injecting file layer: every reply it sent before a log failure is in
// the log after a restart, nothing it did not acknowledge is visible (over the wire or in
// process), it stays up read-only with NOTREADONLY for writes, and resumes once the log works.

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => {});
});

async function tempDir() {
  const d = await mkdtemp(join(tmpdir(), 'zoo-durable-'));
  cleanups.push(() => rm(d, { recursive: true, force: true }));
  return d;
}

async function faultyServer(dir: string) {
  const fs = new FaultyFs();
  const store = await openTxnStore({ dataDir: dir, fs });
  const server = await ZooServer.start({ port: 0, store, logRetryIntervalMs: 20, fourLetterWordWhitelist: ['isro', 'srvr'] });
  cleanups.push(() => server.close());
  return { fs, server };
}

async function client(port: number, options: Parameters<typeof RawClient.open>[1] = {}) {
  const c = await RawClient.open(port, options);
  cleanups.push(() => c.close());
  return c;
}

/** The reply, or 'closed' if the connection went first. */
function replyOrClose(c: RawClient, request: Request): Promise<Reply | 'closed'> {
  return Promise.race([c.send(request), c.closed.then(() => 'closed' as const)]);
}

/** A few event-loop turns with I/O in between. */
const settle = () => new Promise((r) => setTimeout(r, 30));

const seq = (path: string): Request => ({ op: OpCode.create, path, data: Buffer.alloc(2048, 7), acl: [...OPEN_ACL_UNSAFE], flags: 2 });

async function recoveredPaths(dir: string) {
  const copy = await tempDir();
  await cp(dir, copy, { recursive: true });
  const server = await ZooServer.start({ port: 0, dataDir: copy });
  cleanups.push(() => server.close());
  return { server, children: new Set(await server.getChildren('/q')) };
}

describe('a server whose transaction log fails', () => {
  for (const [what, op, fault] of [
    ['ENOSPC part-way through a group commit', 'write', { kind: 'enospc', after: 3000 }],
    ['EIO from fdatasync', 'datasync', { kind: 'eio' }],
  ] as Array<[string, 'write' | 'datasync', Fault]>) {
    it(`${what}: acknowledged writes survive, the rest are neither acknowledged nor visible; reads go on, writes get NOTREADONLY, then resume`, async () => {
      const dir = await tempDir();
      const { fs, server } = await faultyServer(dir);
      await server.create('/q');
      await server.create('/watched', 'v0');
      const writer = await client(server.port);
      const reader = await client(server.port);
      const watcher = await client(server.port);
      expect((await watcher.send({ op: OpCode.getData, path: '/watched', watch: true })).header.err).toBe(0);

      // some creates are acknowledged
      const acked: string[] = [];
      for (let i = 0; i < 20; i++) {
        const r = await writer.send(seq('/q/n-'));
        expect(r.header.err).toBe(0);
        acked.push((r.response as { path: string }).path);
      }
      // then the log fails under a pipelined burst, a setData with a watch on it, and an in-process
      // write; and the disk stays full (probes fail) until the test frees it
      fs.free = 0;
      fs.fail(op, fault, 1, 'log.');
      const burst = Array.from({ length: 50 }, () => replyOrClose(writer, seq('/q/n-')));
      const watchedWrite = replyOrClose(reader, { op: OpCode.setData, path: '/watched', data: Buffer.from('lost'), version: -1 });
      const inProcess = server.create('/q/inproc-', 'x', { sequential: true }).then(
        () => 'acknowledged',
        (e: unknown) => e,
      );
      const outcomes = await Promise.all(burst);
      for (const o of outcomes) if (o !== 'closed') {
        expect(o.header.err).toBe(0);
        acked.push((o.response as { path: string }).path);
      }
      // the failed ones were never answered: their connection was closed
      expect(outcomes).toContain('closed');
      expect(await watchedWrite).toBe('closed');
      expect(await inProcess).toSatisfy((e: unknown) => e instanceof ZooError && e.code === ZooErrorCode.NOTREADONLY);
      // the watcher was not told of a change that never became durable; its connection went with it
      await watcher.closed;
      expect(watcher.events).toEqual([]);

      // up and read-only: reads over the wire and in process see exactly the durable state
      expect(server.state.readOnlyReason).toMatch(/ENOSPC|EIO/);
      expect(await fourLetterWord(server.port, 'isro')).toBe('ro');
      expect(await fourLetterWord(server.port, 'srvr')).toContain('Mode: read-only');
      const survivor = await client(server.port).catch(() => undefined);
      expect(survivor, 'a new session needs a txn: refused while read-only').toBeUndefined();
      // a session whose connection was closed comes back (no txn needed) and reads
      const back = await client(server.port, { sessionId: writer.session!.sessionId, passwd: writer.session!.passwd });
      expect(back.session!.sessionId).toBe(writer.session!.sessionId);
      const got = await back.send({ op: OpCode.getChildren, path: '/q', watch: false });
      expect(new Set((got.response as { children: string[] }).children)).toEqual(new Set(acked.map((p) => p.slice(3))));
      expect((await back.send(seq('/q/n-'))).header.err).toBe(ZooErrorCode.NOTREADONLY);
      expect((await server.getData('/watched')).data?.toString()).toBe('v0');
      expect(new Set(await server.getChildren('/q'))).toEqual(new Set(acked.map((p) => p.slice(3))));
      await expect(server.setData('/watched', 'no')).rejects.toThrow(/NOTREADONLY: the server is read-only: the transaction log cannot be written/);

      // the log cannot even be cut back for a few probes: the server stays read-only and keeps trying
      const truncates = fs.calls.truncate;
      fs.fail('truncate', { kind: 'eio' }, 3, 'log.');
      await until(() => fs.calls.truncate >= truncates + 3, 10_000, 'the log to be probed');
      expect(server.state.readOnlyReason).toBeDefined();
      // room again
      fs.free = Number.POSITIVE_INFINITY;
      // then it works: writes resume, and sequence numbers go on from the acknowledged ones
      await until(() => server.state.readOnlyReason === undefined, 10_000, 'writes to resume');
      expect(await fourLetterWord(server.port, 'isro')).toBe('rw');
      const again = await client(server.port);
      const next = await again.send(seq('/q/n-'));
      expect(next.header.err).toBe(0);
      const nextPath = (next.response as { path: string }).path;
      expect(acked).not.toContain(nextPath);
      acked.push(nextPath);
      const after = await server.create('/q/after');
      acked.push(after);

      // restart on a copy of the data dir: every acknowledged create is there, nothing else
      const { server: restarted, children } = await recoveredPaths(dir);
      expect(children).toEqual(new Set(acked.map((p) => p.slice(3))));
      const newest = Math.max(...acked.filter((p) => p.startsWith('/q/n-')).map((p) => Number(p.slice(5))));
      const fresh = await restarted.create('/q/n-', null, { sequential: true });
      expect(Number(fresh.slice(5))).toBeGreaterThan(newest);
    });
  }

  it('a log whose writes keep coming up short: every acknowledged write is there after a restart', async () => {
    const dir = await tempDir();
    const { fs, server } = await faultyServer(dir);
    await server.create('/q');
    fs.fail('write', { kind: 'short', bytes: 1000 }, Number.POSITIVE_INFINITY, 'log.');
    const writer = await client(server.port);
    const replies = await Promise.all(Array.from({ length: 200 }, () => writer.send(seq('/q/n-'))));
    const acked = replies.map((r) => (expect(r.header.err).toBe(0), (r.response as { path: string }).path));
    expect(fs.calls.write).toBeGreaterThan(400); // 200 × 2 KiB in pieces of 1000 bytes
    expect(server.state.readOnlyReason).toBeUndefined();
    const { children } = await recoveredPaths(dir);
    expect(children).toEqual(new Set(acked.map((p) => p.slice(3))));
  });

  it('an fsync that never completes: nothing that depends on it is answered, over the wire or in process; the acknowledged writes survive a crash', async () => {
    const dir = await tempDir();
    const { fs, server } = await faultyServer(dir);
    await server.create('/q');
    const writer = await client(server.port);
    const reader = await client(server.port);
    const acked: string[] = [];
    for (let i = 0; i < 5; i++) acked.push(((await writer.send(seq('/q/n-'))).response as { path: string }).path);
    fs.fail('datasync', { kind: 'hang' }, 1, 'log.');
    let answered = 0;
    const pending = writer.send(seq('/q/n-')).then((r) => (answered++, r));
    await settle();
    // a read that could see the pending create waits for it, in process and over the wire
    const wire = reader.send({ op: OpCode.getChildren, path: '/q', watch: false }).then((r) => (answered++, r));
    const local = server.getChildren('/q').then((c) => (answered++, c));
    await settle();
    await settle();
    expect(answered).toBe(0);
    // a crash now (a copy of the files as they are) keeps every acknowledged write
    const { children } = await recoveredPaths(dir);
    for (const p of acked) expect(children.has(p.slice(3))).toBe(true);
    // once the fsync completes, everything is answered, in order
    fs.releaseHung();
    const created = ((await pending).response as { path: string }).path;
    expect(((await wire).response as { children: string[] }).children).toContain(created.slice(3));
    expect(await local).toContain(created.slice(3));
  });
});
