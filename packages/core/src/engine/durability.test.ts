import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OPEN_ACL_UNSAFE } from '../acl/ids.js';
import { FakeClock } from '../clock.js';
import { CreateMode, OpCode } from '../protocol/opcodes.js';
import type { Request } from '../protocol/records.js';
import { engineKit } from './test-kit.js';
import type { Txn } from './txn.js';
import { decodeTxn, encodeTxn, TxnReplayDecoder, writeTxn } from './txn-codec.js';
import { JuteWriter } from '../protocol/jute-writer.js';
import { JuteDecodeError } from '../protocol/decode-error.js';
import { snapshotChunks } from './snapshot-writer.js';
import { ZooEngine, type ConnectionContext } from './zoo-engine.js';

/** Everything observable about the state, in a canonical order (the last zxid left out if not `withZxid`). */
function dump(engine: ZooEngine, withZxid = true): string {
  const nodes = [...engine.tree.nodes.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([path, node]) => ({ path, stat: node.stat(), data: node.data?.toString('hex') ?? null, acl: node.acl, kind: engine.nodeKind(path), creates: node.childCreates, children: node.children ? [...node.children].sort() : [] }));
  const sessions = engine.sessionsInfo().map((s) => [s.sessionId, s.timeout, [...s.ephemerals].sort()]).sort();
  return JSON.stringify({ zxid: withZxid ? engine.lastZxid : null, nodes, sessions }, (_, v) => (typeof v === 'bigint' ? v.toString() : v));
}

interface Step {
  session: number;
  kind: number;
  target: number;
  name: string;
}
const stepArb = fc.record({ session: fc.nat(2), kind: fc.nat(7), target: fc.nat(30), name: fc.constantFrom('a', 'b', 'c') });

/** An engine driven by random writes, logging every txn (createSession, reaper, closeSession included). */
function driver() {
  const txns: Txn[] = [];
  const kit = engineKit({ onTxn: (t) => txns.push(t) });
  const ctxs: ConnectionContext[] = [kit.connect(), kit.connect(), kit.connect()];
  const step = (s: Step) => {
    const paths = [...kit.engine.tree.nodes.keys()].filter((p) => !p.startsWith('/zookeeper')).sort();
    const target = paths[s.target % paths.length];
    const child = `${target === '/' ? '' : target}/${s.name}`;
    const acl = [...OPEN_ACL_UNSAFE];
    const requests: Request[] = [
      { op: OpCode.create, path: child, data: Buffer.from(s.name), acl, flags: CreateMode.PERSISTENT },
      { op: OpCode.create, path: child, data: null, acl, flags: CreateMode.EPHEMERAL_SEQUENTIAL },
      { op: OpCode.createContainer, path: child, data: null, acl, flags: CreateMode.CONTAINER },
      { op: OpCode.createTTL, path: child, data: null, acl, flags: CreateMode.PERSISTENT_WITH_TTL, ttl: 500n },
      { op: OpCode.setData, path: target, data: Buffer.from(s.name.repeat(s.target)), version: -1 },
      { op: OpCode.delete, path: target, version: -1 },
      { op: OpCode.multi, ops: [{ op: OpCode.create, path: child, data: null, acl, flags: 2 }, { op: OpCode.setData, path: target, data: null, version: -1 }] },
      // a second ACL list (as permissive), so snapshots meet lists first used while they are written
      { op: OpCode.setACL, path: target, acl: s.name === 'c' ? [...acl, { perms: 1, id: { scheme: 'digest', id: 'u:x' } }] : acl, version: -1 },
    ];
    kit.run(ctxs[s.session], requests[s.kind]);
    if (s.target === 7) {
      kit.clock.advance(400);
      kit.reap();
    }
    if (s.target === 13) {
      kit.run(ctxs[s.session], { op: OpCode.closeSession });
      ctxs[s.session] = kit.connect();
    }
  };
  return { kit, txns, step };
}

const freshEngine = () => new ZooEngine({ clock: new FakeClock(), tickTime: 1000 });

/** A fresh engine restored from a (fuzzy) snapshot, with the txns after its zxid replayed through the log's codec. */
function restoreAndReplay(snapshot: Buffer, txns: readonly Txn[], zxid: bigint): ZooEngine {
  const restored = freshEngine();
  restored.restoreSnapshot(snapshot);
  for (const txn of txns) if (txn.zxid > zxid) restored.applyTxn(decodeTxn(encodeTxn(txn)));
  return restored;
}

/** Every node's children in the order the tree lists them (getChildren's order), by path. */
function childOrder(engine: ZooEngine): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [path, node] of engine.tree.nodes) if (node.children && node.children.size > 0) out[path] = node.children.toArray();
  return out;
}

/**
 * A tree whose parents got their children in turn, as a tree created round-robin across its
 * parents: `parents` under `/`, each with `perParent` children, some with data, an ephemeral
 * and a grandchild among them. Built with the tree's replay path (no events), which is fast.
 */
function roundRobinTree(parents: number, perParent: number): { engine: ZooEngine; snapshot: (chunkBytes: number, version?: number) => Buffer } {
  const { engine, connect } = engineKit();
  const owner = connect().sessionId;
  const tree = engine.tree;
  const acl = [...OPEN_ACL_UNSAFE];
  let zxid = engine.lastZxid;
  const create = (path: string, data: Buffer | null, ephemeralOwner = 0n) => tree.create(path, data, acl, ephemeralOwner, ++zxid, 1000, 1);
  for (let p = 0; p < parents; p++) create(`/p${p}`, null);
  for (let i = 0; i < perParent; i++) {
    for (let p = 0; p < parents; p++) {
      create(`/p${p}/n${i}`, i % 3 === 0 ? Buffer.from(`v${p}.${i}`) : null, i === 1 && p % 5 === 0 ? owner : 0n);
      if (i === 2 && p % 7 === 0) create(`/p${p}/n${i}/leaf`, Buffer.from('leaf'));
    }
  }
  // a child under a built-in node, listed among the others
  create('/zookeeper/extra', Buffer.from('x'));
  // (the engine's own zxid did not move: the snapshot is taken at the tree's)
  return { engine, snapshot: (chunkBytes, version) => Buffer.concat([...snapshotChunks(zxid, tree, engine.sessions, chunkBytes, version)]) };
}

describe('snapshot restore of a tree listed with its parents\' children interleaved', () => {
  it('restores every node, and each parent\'s children in the same order, whatever the piece size and version', () => {
    const { engine, snapshot } = roundRobinTree(40, 25);
    const want = dump(engine, false);
    const order = childOrder(engine);
    expect(order['/p3']).toEqual(Array.from({ length: 25 }, (_, i) => `n${i}`));
    for (const version of [2, 3]) {
      const bytes = snapshot(500, version);
      expect(bytes.indexOf('/p39/n24')).toBeGreaterThan(0);
      for (const size of [1, 7, 100, 4096, bytes.length]) {
        const restored = freshEngine();
        const restorer = restored.snapshotRestorer();
        for (let at = 0; at < bytes.length; at += size) restorer.push(Buffer.from(bytes.subarray(at, at + size)));
        restorer.end();
        expect(dump(restored, false), `version ${version}, pieces of ${size}`).toBe(want);
        expect(childOrder(restored), `version ${version}, pieces of ${size}`).toEqual(order);
      }
    }
  });

  it('keeps the order when a parent gets children both in a run after it and interleaved with others later', () => {
    const { engine, connect, create } = engineKit();
    const conn = connect();
    // /a's first children come right after it (linked at once), the later ones between /b's
    for (const path of ['/a', '/a/1', '/a/2', '/a/2/x', '/b', '/a/3', '/b/1', '/a/4', '/b/2', '/c', '/a/5', '/c/1', '/b/3']) expect(create(conn, path).err).toBe(0);
    const bytes = Buffer.concat([...engine.snapshot(64).chunks]);
    const restored = freshEngine();
    restored.restoreSnapshot(bytes);
    expect(childOrder(restored)).toEqual(childOrder(engine));
    expect(restored.tree.get('/a')!.children!.toArray()).toEqual(['1', '2', '3', '4', '5']);
    expect(dump(restored)).toBe(dump(engine));
  });

  it('links the children of 70,000 parents listed in turns, the children of each in the same order', () => {
    const parents = 70_000;
    const { engine, snapshot } = roundRobinTree(parents, 2);
    const bytes = snapshot(256 * 1024);
    const restored = freshEngine();
    restored.restoreSnapshot(bytes);
    expect(restored.tree.nodeCount).toBe(engine.tree.nodeCount);
    expect(JSON.stringify(childOrder(restored))).toBe(JSON.stringify(childOrder(engine)));
    for (const path of ['/p0', `/p${parents - 1}/n1`, '/p7/n0', '/zookeeper/extra']) expect(restored.tree.get(path)!.stat(), path).toEqual(engine.tree.get(path)!.stat());
  });

  it('a child whose parent is not in the snapshot is an error, whether it comes right after other nodes or interleaved', () => {
    for (const gone of ['/p0', '/p3']) {
      const { engine, snapshot } = roundRobinTree(4, 3);
      // (a damaged tree: the parent's entry gone, its children left)
      engine.tree.nodes.delete(gone);
      const bytes = snapshot(200);
      expect(() => freshEngine().restoreSnapshot(bytes)).toThrow(`snapshot: parent of ${gone}/n0 is missing`);
    }
  });

  it('a block damaged part way through an interleaved listing fails the restore; abort() leaves the engine fresh for the next one', () => {
    const { engine, snapshot } = roundRobinTree(30, 20);
    const bytes = snapshot(400);
    const empty = dump(freshEngine(), false);
    // damage a path's length in a block about half way (a node path "/pN/nM" starts 4 bytes after it)
    const at = bytes.indexOf('/p7/n11') - 4;
    expect(at).toBeGreaterThan(bytes.length / 4);
    const damaged = Buffer.from(bytes);
    damaged.writeInt32BE(0x7fff, at);
    const target = freshEngine();
    const restorer = target.snapshotRestorer();
    expect(() => {
      for (let p = 0; p < damaged.length; p += 333) restorer.push(damaged.subarray(p, p + 333));
      restorer.end();
    }).toThrow(JuteDecodeError);
    restorer.abort();
    expect(dump(target, false)).toBe(empty);
    const again = target.snapshotRestorer();
    again.push(bytes);
    again.end();
    expect(dump(target, false)).toBe(dump(engine, false));
    expect(childOrder(target)).toEqual(childOrder(engine));
  });

  it('a fuzzy snapshot of a round-robin tree, written while children are deleted and created again and parents re-created, restores exactly with the replay', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(5), fc.nat(11), fc.boolean()), { minLength: 1, maxLength: 40 }), fc.nat(8), (changes, cutEvery) => {
        const { kit, txns } = driver();
        const ctx = kit.connect();
        for (let p = 0; p < 6; p++) kit.create(ctx, `/p${p}`);
        for (let i = 0; i < 12; i++) for (let p = 0; p < 6; p++) kit.create(ctx, `/p${p}/n${i}`);
        const snap = kit.engine.snapshot(120);
        const chunks: Buffer[] = [];
        const iterator = snap.chunks[Symbol.iterator]();
        changes.forEach(([p, i, parent], k) => {
          if (k % (cutEvery + 1) === 0) {
            const next = iterator.next();
            if (!next.done) chunks.push(next.value);
          }
          if (parent) {
            // empty the parent, delete it and create it again with one child
            for (const child of [...(kit.engine.tree.get(`/p${p}`)?.children?.paths() ?? [])]) {
              for (const grandchild of [...(kit.engine.tree.get(child)?.children?.paths() ?? [])]) kit.run(ctx, { op: OpCode.delete, path: grandchild, version: -1 });
              kit.run(ctx, { op: OpCode.delete, path: child, version: -1 });
            }
            kit.run(ctx, { op: OpCode.delete, path: `/p${p}`, version: -1 });
            kit.create(ctx, `/p${p}`);
            kit.create(ctx, `/p${p}/n${i}`);
          } else if (kit.run(ctx, { op: OpCode.delete, path: `/p${p}/n${i}`, version: -1 }).err !== 0) kit.create(ctx, `/p${p}/n${i}`);
        });
        for (let next = iterator.next(); !next.done; next = iterator.next()) chunks.push(next.value);
        const restored = restoreAndReplay(Buffer.concat(chunks), txns, snap.zxid);
        expect(dump(restored)).toBe(dump(kit.engine));
      }),
      { numRuns: 60 },
    );
  });
});

describe('txn log replay', () => {
  it('replaying the encoded txns rebuilds exactly the same state', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 80 }), (steps) => {
        const { kit, txns, step } = driver();
        steps.forEach(step);
        const replica = freshEngine();
        for (const txn of txns) replica.applyTxn(decodeTxn(encodeTxn(txn)));
        expect(dump(replica)).toBe(dump(kit.engine));
      }),
      { numRuns: 60 },
    );
  });

  it('writeTxn into a writer of the caller\'s writes the bytes encodeTxn returns, each txn after the one before', () => {
    const { txns, step } = driver();
    for (let i = 0; i < 40; i++) step({ session: i % 3, kind: i % 8, target: i, name: 'abc'[i % 3] });
    const w = new JuteWriter(16);
    const ends: number[] = [];
    for (const txn of txns) {
      writeTxn(w, txn);
      ends.push(w.length);
    }
    const all = w.toBuffer();
    txns.forEach((txn, i) => expect(all.subarray(i === 0 ? 0 : ends[i - 1], ends[i]).equals(encodeTxn(txn))).toBe(true));
  });

  it('the replay decoder, fed every txn in one reused buffer, rebuilds exactly the same state', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 80 }), (steps) => {
        const { kit, txns, step } = driver();
        steps.forEach(step);
        const replica = freshEngine();
        const decoder = new TxnReplayDecoder();
        const scratch = Buffer.alloc(64 * 1024);
        for (const [i, txn] of txns.entries()) {
          const bytes = encodeTxn(txn);
          const at = i % 7; // not always at 0
          bytes.copy(scratch, at);
          const decoded = decoder.decode(scratch, at, at + bytes.length);
          expect(decoded).toEqual(decodeTxn(bytes));
          replica.applyTxn(decoded);
          scratch.fill(0xee); // the next record overwrites it: nothing applied may point into it
        }
        expect(dump(replica)).toBe(dump(kit.engine));
      }),
      { numRuns: 60 },
    );
  });

  it('the replay decoder shares one frozen ACL list between creates with the same ACL bytes, and not otherwise', () => {
    const digest = [{ perms: 31, id: { scheme: 'digest', id: 'u:x' } }];
    const create = (zxid: bigint, acl: typeof digest, owner = 0n): Txn => ({ zxid, time: 1_700_000_000_123, sessionId: 0x1234n, body: { type: OpCode.create, path: `/n${zxid}`, data: Buffer.from('v'), acl, owner, parentCreates: 3 } });
    const decoder = new TxnReplayDecoder();
    const a = decoder.decode(encodeTxn(create(1n, [...OPEN_ACL_UNSAFE])));
    const b = decoder.decode(encodeTxn(create(2n, [...OPEN_ACL_UNSAFE])));
    const c = decoder.decode(encodeTxn(create(3n, digest, 0x7fn)));
    const d = decoder.decode(encodeTxn(create(4n, [...OPEN_ACL_UNSAFE])));
    const acl = (t: Txn) => (t.body as { acl: unknown }).acl;
    expect(acl(a)).toBe(acl(b));
    expect(Object.isFrozen(acl(a))).toBe(true);
    expect(acl(c)).toEqual(digest);
    expect(acl(d)).not.toBe(acl(a));
    expect(acl(d)).toEqual(OPEN_ACL_UNSAFE);
    expect(c).toEqual(create(3n, digest, 0x7fn));
    // and the tree interns each once
    const engine = freshEngine();
    for (const t of [a, b, c, d]) engine.applyTxn(t);
    expect(engine.tree.get('/n1')!.acl).toBe(engine.tree.get('/n4')!.acl);
    expect(engine.tree.get('/n3')!.acl).toEqual(digest);
  });

  it('the replay decoder rejects a truncated or garbled txn with a decode error, as decodeTxn does', () => {
    const txn: Txn = { zxid: 5n, time: 1, sessionId: 7n, body: { type: OpCode.create, path: '/a', data: Buffer.from('x'), acl: [...OPEN_ACL_UNSAFE], owner: 0n, parentCreates: 1 } };
    const bytes = encodeTxn(txn);
    expect(new TxnReplayDecoder().decode(bytes)).toEqual(txn);
    for (let cut = 0; cut < bytes.length; cut++) expect(() => new TxnReplayDecoder().decode(bytes, 0, cut), `cut at ${cut}`).toThrow(JuteDecodeError);
    // and one that knows the ACL list already (its quick path)
    const warm = new TxnReplayDecoder();
    expect(warm.decode(bytes)).toEqual(txn);
    for (let cut = 0; cut < bytes.length; cut++) expect(() => warm.decode(bytes, 0, cut), `cut at ${cut}, warm`).toThrow(JuteDecodeError);
    const nullPath = Buffer.from(bytes);
    nullPath.writeInt32BE(-1, 28);
    expect(() => warm.decode(nullPath)).toThrow(/null path/);
    const badData = Buffer.from(bytes);
    badData.writeInt32BE(-5, 28 + 4 + 2);
    expect(() => warm.decode(badData)).toThrow(JuteDecodeError);
    const garbled = Buffer.from(bytes);
    garbled.writeInt32BE(99, 24);
    expect(() => new TxnReplayDecoder().decode(garbled)).toThrow(/unknown type 99/);
  });

  it('round-trips a txn and rejects a truncated or garbled one with a decode error', () => {
    const txn: Txn = { zxid: 5n, time: 1, sessionId: 7n, body: { type: OpCode.create, path: '/a', data: Buffer.from('x'), acl: [...OPEN_ACL_UNSAFE], owner: 0n, parentCreates: 1 } };
    const bytes = encodeTxn(txn);
    expect(decodeTxn(bytes)).toEqual(txn);
    for (let cut = 0; cut < bytes.length; cut++) expect(() => decodeTxn(bytes.subarray(0, cut))).toThrow();
    const garbled = Buffer.from(bytes);
    garbled.writeInt32BE(99, 24);
    expect(() => decodeTxn(garbled)).toThrow(/unknown type 99/);
  });
});

describe('snapshots', () => {
  it('with reused chunks, writes the same bytes into one buffer (each chunk taken before the next is asked for)', () => {
    const { kit } = driver();
    const ctx = kit.connect();
    for (let i = 0; i < 300; i++) kit.run(ctx, { op: OpCode.create, path: `/n${i}`, data: Buffer.alloc(i % 50, i), acl: [...OPEN_ACL_UNSAFE], flags: 0 });
    const fresh = [...kit.engine.snapshot(512).chunks];
    const copies: Buffer[] = [];
    const memory = new Set<ArrayBufferLike>();
    for (const chunk of kit.engine.snapshot(512, { reuseChunks: true }).chunks) {
      copies.push(Buffer.from(chunk));
      if (chunk.length > 200) memory.add(chunk.buffer);
    }
    expect(Buffer.concat(copies).equals(Buffer.concat(fresh))).toBe(true);
    expect(fresh.length).toBeGreaterThan(10);
    // (the blocks all went through one buffer; the header and the end marker are small chunks of their own)
    expect(memory.size).toBe(1);
  });

  it('a fuzzy snapshot taken while writes go on, plus the txns after its zxid, restores the exact state', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 5, maxLength: 60 }), fc.array(stepArb, { maxLength: 60 }), (before, during) => {
        const { kit, txns, step } = driver();
        before.forEach(step);
        const snap = kit.engine.snapshot(64);
        const chunks: Buffer[] = [];
        const iterator = snap.chunks[Symbol.iterator]();
        for (const s of during) {
          const next = iterator.next();
          if (!next.done) chunks.push(next.value);
          step(s); // writes land between chunks
        }
        for (let next = iterator.next(); !next.done; next = iterator.next()) chunks.push(next.value);

        const restored = restoreAndReplay(Buffer.concat(chunks), txns, snap.zxid);
        expect(dump(restored)).toBe(dump(kit.engine));
      }),
      { numRuns: 60 },
    );
  });

  it('a node deleted and created again after the snapshot wrote it: listed once, and the replay restores the state', () => {
    // an ephemeral lock node released and taken again by another session while a snapshot is
    // written: the walk meets /locks/a a second time, created after the snapshot began, and
    // leaves it to the log replay (listing it twice made the restart fail with "listed twice")
    const { kit, txns } = driver();
    const [s1, s2] = [kit.connect(), kit.connect()];
    const acl = [...OPEN_ACL_UNSAFE];
    kit.run(s1, { op: OpCode.create, path: '/locks', data: null, acl, flags: CreateMode.PERSISTENT });
    for (const name of ['a', 'b', 'c']) kit.run(s1, { op: OpCode.create, path: `/locks/${name}`, data: Buffer.from('one'), acl, flags: CreateMode.EPHEMERAL });
    const snap = kit.engine.snapshot(64);
    const chunks: Buffer[] = [];
    const iterator = snap.chunks[Symbol.iterator]();
    // until /locks/a is written
    while (!Buffer.concat(chunks).includes('/locks/a')) chunks.push(iterator.next().value!);
    expect(kit.run(s1, { op: OpCode.delete, path: '/locks/a', version: -1 }).err).toBe(0);
    expect(kit.run(s2, { op: OpCode.create, path: '/locks/a', data: Buffer.from('two'), acl, flags: CreateMode.EPHEMERAL }).err).toBe(0);
    for (let next = iterator.next(); !next.done; next = iterator.next()) chunks.push(next.value);
    const bytes = Buffer.concat(chunks);
    expect(bytes.indexOf('/locks/a', bytes.indexOf('/locks/a') + 1)).toBe(-1);

    const restored = restoreAndReplay(bytes, txns, snap.zxid);
    expect(dump(restored)).toBe(dump(kit.engine));
    // the first session's ephemerals no longer include the node the second one owns
    kit.run(s1, { op: OpCode.closeSession });
    restored.applyTxn(decodeTxn(encodeTxn(txns[txns.length - 1])));
    expect(dump(restored)).toBe(dump(kit.engine));
    expect(restored.tree.get('/locks/a')?.data?.toString()).toBe('two');
  });

  it('a parent deleted and re-created with a child while the snapshot is written: the replay lists the child under it again', () => {
    // (found by the property above: the snapshot holds the new /a and /a/a; replaying the
    // delete of the old /a, then the creates, must leave /a/a listed as /a's child)
    const { kit, txns, step } = driver();
    const steps = (xs: Array<[number, number]>) => xs.forEach(([kind, target]) => step({ session: 0, kind, target, name: 'a' }));
    steps([[0, 0], [0, 0], [2, 0]]); // /a, then two failed creates of /a
    const snap = kit.engine.snapshot(64);
    const chunks: Buffer[] = [];
    const iterator = snap.chunks[Symbol.iterator]();
    for (const s of [[5, 1], [0, 0], [0, 1]] as Array<[number, number]>) {
      const next = iterator.next();
      if (!next.done) chunks.push(next.value);
      steps([s]); // delete /a, create /a, create /a/a
    }
    for (let next = iterator.next(); !next.done; next = iterator.next()) chunks.push(next.value);
    expect(kit.engine.tree.get('/a')!.numChildren).toBe(1);
    const restored = restoreAndReplay(Buffer.concat(chunks), txns, snap.zxid);
    expect(restored.tree.get('/a')!.children?.toArray()).toEqual(['a']);
    expect(dump(restored)).toBe(dump(kit.engine));
  });

  it('a parent deleted before the snapshot reached it: replaying the create and delete of its child restores the state', () => {
    // a container with a child; while the snapshot is written, the child comes and goes and the
    // reaper deletes the container before the snapshot gets to it
    const { kit, txns, step } = driver();
    const steps = (xs: Array<[number, number]>) => xs.forEach(([kind, target]) => step({ session: 0, kind, target, name: 'a' }));
    steps([[0, 0], [0, 1], [2, 2]]); // /a, /a/a, container /a/a/a
    const snap = kit.engine.snapshot(64);
    const chunks: Buffer[] = [];
    const iterator = snap.chunks[Symbol.iterator]();
    chunks.push(iterator.next().value!);
    chunks.push(iterator.next().value!);
    const child = kit.create(kit.connect(), '/a/a/a/a');
    expect(child.err).toBe(0);
    kit.run(kit.connect(), { op: OpCode.delete, path: '/a/a/a/a', version: -1 });
    kit.clock.advance(400);
    kit.reap();
    expect(kit.engine.tree.get('/a/a/a')).toBeUndefined();
    for (let next = iterator.next(); !next.done; next = iterator.next()) chunks.push(next.value);
    const restored = restoreAndReplay(Buffer.concat(chunks), txns, snap.zxid);
    expect(dump(restored)).toBe(dump(kit.engine));
  });

  it('a parent whose children mostly go while the snapshot is written (its child list compacted meanwhile) restores the same state', () => {
    const { kit, txns } = driver();
    const ctx = kit.connect();
    const acl = [...OPEN_ACL_UNSAFE];
    kit.create(ctx, '/flat');
    kit.create(ctx, '/flat/sub');
    kit.create(ctx, '/flat/sub/leaf');
    const n = 3000;
    for (let i = 0; i < n; i++) kit.run(ctx, { op: OpCode.create, path: `/flat/n${i}`, data: Buffer.from([i & 0xff]), acl, flags: 0 });
    const snap = kit.engine.snapshot(4096);
    const chunks: Buffer[] = [];
    const iterator = snap.chunks[Symbol.iterator]();
    for (let round = 0; round < 40; round++) {
      const next = iterator.next();
      if (!next.done) chunks.push(next.value);
      for (let k = 0; k < 5; k++) expect(kit.create(ctx, `/flat/late${round}-${k}`).err).toBe(0);
      // 70 a round: past half of them by round 22, and the list drops its holes
      for (let k = 0; k < 70; k++) expect(kit.run(ctx, { op: OpCode.delete, path: `/flat/n${round * 70 + k}`, version: -1 }).err).toBe(0);
    }
    for (let next = iterator.next(); !next.done; next = iterator.next()) chunks.push(next.value);
    expect(kit.engine.tree.get('/flat')!.numChildren).toBe(1 + n - 40 * 70 + 40 * 5);
    const restored = restoreAndReplay(Buffer.concat(chunks), txns, snap.zxid);
    expect(dump(restored)).toBe(dump(kit.engine));
    // and a snapshot of it taken at rest restores it too
    const again = freshEngine();
    again.restoreSnapshot(Buffer.concat([...kit.engine.snapshot(4096).chunks]));
    expect(dump(again)).toBe(dump(kit.engine));
  });

  it('writes every value whatever its slab layout (runs of neighbours, values changed since, large ones) and every stat field whatever its size', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ size: fc.oneof(fc.constant(-1), fc.nat(300), fc.integer({ min: 4000, max: 20_000 })), change: fc.nat(5), byte: fc.nat(255) }), { minLength: 1, maxLength: 80 }),
        fc.constantFrom(512, 4096, 256 * 1024),
        (values, chunkBytes) => {
          const kit = engineKit({ extendedTypesEnabled: true });
          const ctx = kit.connect();
          const bytesOf = (size: number, byte: number) => (size < 0 ? null : Buffer.alloc(size, byte).fill(byte + 1, 0, Math.min(size, 3)).toString('latin1'));
          values.forEach((v, i) => {
            // an ephemeral (owner: a session id), a container and a TTL node (owners beyond 2^53) among the plain ones
            const flags = i % 7 === 3 ? CreateMode.EPHEMERAL : 0;
            if (i % 11 === 5) kit.run(ctx, { op: OpCode.createContainer, path: `/n${i}`, data: null, acl: [...OPEN_ACL_UNSAFE], flags: CreateMode.CONTAINER });
            else if (i % 13 === 6) kit.run(ctx, { op: OpCode.createTTL, path: `/n${i}`, data: null, acl: [...OPEN_ACL_UNSAFE], flags: CreateMode.PERSISTENT_WITH_TTL, ttl: 60_000n });
            else kit.create(ctx, `/n${i}`, bytesOf(v.size, v.byte), flags);
            kit.clock.advance(v.change);
          });
          // change some values afterwards: their new bytes lie elsewhere, between the others'
          values.forEach((v, i) => {
            if (v.change === 0) kit.ok(ctx, { op: OpCode.setData, path: `/n${i}`, data: Buffer.alloc((v.size + 7) % 50, v.byte ^ 0x5a), version: -1 });
          });
          const restored = freshEngine();
          restored.restoreSnapshot(Buffer.concat([...kit.engine.snapshot(chunkBytes).chunks]));
          expect(dump(restored)).toBe(dump(kit.engine));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('restores zxids on both sides of 2^53 (kept as numbers below it, as bigints from it) exactly, in both versions', () => {
    const { engine } = engineKit();
    const tree = engine.tree;
    const acl = [...OPEN_ACL_UNSAFE];
    let zxid = 2n ** 53n - 4n;
    tree.create('/a', null, acl, 0n, zxid++, 1000, 1);
    for (let i = 0; i < 8; i++) tree.create(`/a/n${i}`, Buffer.from([i]), acl, 0n, zxid++, 1000 + i, i + 2);
    tree.setData('/a/n1', Buffer.from('x'), 1, zxid++, 5000);
    tree.create('/b', null, acl, 0n, zxid++, 1000, 1);
    tree.get('/a/n6')!.pzxid = 3n;
    tree.get('/a/n7')!.czxid = 12n;
    for (const version of [2, 3]) {
      const bytes = Buffer.concat([...snapshotChunks(zxid, tree, engine.sessions, 100, version)]);
      const restored = freshEngine();
      restored.restoreSnapshot(bytes);
      expect(dump(restored, false), `version ${version}`).toBe(dump(engine, false));
      expect(restored.tree.get('/a/n5')!.czxid).toBe(2n ** 53n + 2n);
      // and a snapshot taken at a zxid below some of them leaves those out
      const part = freshEngine();
      part.restoreSnapshot(Buffer.concat([...snapshotChunks(2n ** 53n, tree, engine.sessions, 100, version)]));
      expect(part.tree.get('/a/n3'), `version ${version}`).toBeDefined();
      expect(part.tree.get('/a/n4'), `version ${version}`).toBeUndefined();
      expect(part.tree.get('/a/n7'), `version ${version}`).toBeDefined();
    }
  });

  it('an old version-2 snapshot (data inline) restores the same state', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 5, maxLength: 60 }), (steps) => {
        const { kit, step } = driver();
        steps.forEach(step);
        const bytes = Buffer.concat([...snapshotChunks(kit.engine.lastZxid, kit.engine.tree, kit.engine.sessions, 64, 2)]);
        expect(bytes.readInt32BE(4)).toBe(2);
        const restored = freshEngine();
        restored.restoreSnapshot(bytes);
        expect(dump(restored)).toBe(dump(kit.engine));
      }),
      { numRuns: 30 },
    );
  });

  it('restores the same state from the snapshot handed over in pieces of any size, each overwritten once pushed', () => {
    const { kit, step } = driver();
    for (let i = 0; i < 60; i++) step({ session: i % 3, kind: i % 5 === 4 ? 4 : i % 7 === 3 ? 7 : 0, target: i, name: 'abc'[i % 3] });
    // a value larger than a block and than most pieces, and sessions and ACLs in the header
    kit.run(kit.connect(), { op: OpCode.create, path: '/big', data: Buffer.alloc(5000, 9), acl: [...OPEN_ACL_UNSAFE], flags: 0 });
    const want = dump(kit.engine);
    for (const version of [2, 3]) {
      const bytes = Buffer.concat([...snapshotChunks(kit.engine.lastZxid, kit.engine.tree, kit.engine.sessions, 300, version)]);
      for (const size of [1, 5, 12, 13, 64, 333, 4096, bytes.length]) {
        const restored = freshEngine();
        const restorer = restored.snapshotRestorer();
        const piece = Buffer.alloc(size);
        for (let at = 0; at < bytes.length; at += size) {
          const n = bytes.copy(piece, 0, at, at + size);
          restorer.push(piece.subarray(0, n));
          piece.fill(0xee);
        }
        restorer.end();
        expect(dump(restored), `version ${version}, pieces of ${size}`).toBe(want);
      }
    }
  });

  it('abort() after any part of a snapshot leaves the engine fresh: another snapshot then restores exactly', () => {
    const { kit, step } = driver();
    for (let i = 0; i < 30; i++) step({ session: i % 3, kind: i % 5 === 4 ? 4 : i % 4 === 1 ? 1 : 0, target: i, name: 'abc'[i % 3] });
    const bytes = Buffer.concat([...snapshotChunks(kit.engine.lastZxid, kit.engine.tree, kit.engine.sessions, 100)]);
    const empty = dump(freshEngine());
    for (const cut of [0, 10, 40, Math.floor(bytes.length / 2), bytes.length]) {
      const engine = freshEngine();
      const first = engine.snapshotRestorer();
      first.push(bytes.subarray(0, cut));
      first.abort();
      expect(dump(engine), `aborted after ${cut} bytes`).toBe(empty);
      const second = engine.snapshotRestorer();
      second.push(bytes);
      second.end();
      expect(dump(engine)).toBe(dump(kit.engine));
    }
  });

  it('a snapshot handed over in pieces and cut off anywhere is a decode error at end()', () => {
    const { kit, step } = driver();
    for (let i = 0; i < 30; i++) step({ session: i % 3, kind: i % 5 === 4 ? 4 : 0, target: i, name: 'abc'[i % 3] });
    const bytes = Buffer.concat([...snapshotChunks(kit.engine.lastZxid, kit.engine.tree, kit.engine.sessions, 100)]);
    for (let cut = 0; cut < bytes.length; cut += 3) {
      const restorer = freshEngine().snapshotRestorer();
      for (let at = 0; at < cut; at += 50) restorer.push(bytes.subarray(at, Math.min(cut, at + 50)));
      expect(() => restorer.end(), `cut at ${cut}`).toThrow(JuteDecodeError);
    }
  });

  it('rejects every cut-off snapshot with a decode error', () => {
    const { kit, step } = driver();
    for (let i = 0; i < 40; i++) step({ session: i % 3, kind: i % 5 === 4 ? 4 : 0, target: i, name: 'abc'[i % 3] });
    for (const version of [2, 3]) {
      const bytes = Buffer.concat([...snapshotChunks(kit.engine.lastZxid, kit.engine.tree, kit.engine.sessions, 100, version)]);
      for (let cut = 0; cut < bytes.length; cut++) expect(() => freshEngine().restoreSnapshot(bytes.subarray(0, cut))).toThrow(JuteDecodeError);
    }
  });

  it('rejects a snapshot with a bad magic number or a cut-off end', () => {
    const { engine } = engineKit();
    const bytes = Buffer.concat([...engine.snapshot().chunks]);
    expect(() => freshEngine().restoreSnapshot(bytes.subarray(0, bytes.length - 2))).toThrow();
    bytes.writeInt32BE(0x12345678, 0);
    expect(() => freshEngine().restoreSnapshot(bytes)).toThrow(/bad magic/);
  });
});

describe('rollback of txns the log never made durable', () => {
  it('takes back any run of live writes, exactly, and later writes match a replay of the kept log', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 50 }), fc.array(stepArb, { minLength: 1, maxLength: 50 }), fc.array(stepArb, { maxLength: 20 }), (durable, lost, after) => {
        const { kit, txns, step } = driver();
        kit.engine.keepUndo();
        durable.forEach(step);
        const zxid = kit.engine.lastZxid;
        kit.engine.durableThrough(zxid);
        const before = dump(kit.engine);
        const kept = txns.length;
        lost.forEach(step);
        kit.engine.rollback(zxid);
        expect(kit.engine.lastZxid).toBe(zxid);
        expect(dump(kit.engine)).toBe(before);
        // the rolled-back txns are gone from the log too: what follows reuses their zxids
        txns.splice(kept);
        after.forEach(step);
        const replica = freshEngine();
        for (const txn of txns) replica.applyTxn(decodeTxn(encodeTxn(txn)));
        expect(dump(replica)).toBe(dump(kit.engine));
      }),
      { numRuns: 80 },
    );
  });

  it('rolls back exactly the live txns past the durable zxid when the log made only a part of them durable', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 30 }), fc.array(stepArb, { maxLength: 30 }), fc.array(stepArb, { minLength: 1, maxLength: 30 }), (early, later, lost) => {
        const { kit, step } = driver();
        kit.engine.keepUndo();
        early.forEach(step);
        const earlyZxid = kit.engine.lastZxid;
        later.forEach(step);
        const zxid = kit.engine.lastZxid;
        const before = dump(kit.engine);
        // the log reaches earlyZxid, then zxid, while more writes are applied behind it
        lost.forEach((s, i) => {
          if (i === 0) kit.engine.durableThrough(earlyZxid);
          step(s);
        });
        kit.engine.durableThrough(zxid);
        kit.engine.rollback(zxid);
        expect(kit.engine.lastZxid).toBe(zxid);
        expect(dump(kit.engine)).toBe(before);
      }),
      { numRuns: 60 },
    );
  });

  it('keeps nothing for txns declared durable, and refuses to roll back without keepUndo()', () => {
    const { engine, connect, create } = engineKit();
    expect(() => engine.rollback(0n)).toThrow(/keepUndo/);
    engine.keepUndo();
    const ctx = connect();
    create(ctx, '/a');
    engine.durableThrough(engine.lastZxid);
    expect(engine.rollback(0n)).toBe(0);
    expect(engine.tree.get('/a')).toBeDefined();
  });

  it('refuses writes, sync and new sessions with NOTREADONLY while the log cannot be written; reads go on', () => {
    const { engine, connect, create, run, stat } = engineKit();
    const ctx = connect();
    create(ctx, '/a', 'x');
    const zxid = engine.lastZxid;
    engine.refuseWrites('ENOSPC');
    expect(engine.writesRefused).toBe('ENOSPC');
    const r = create(ctx, '/b');
    expect(r.err).toBe(-119);
    expect(r.txn).toBeUndefined();
    expect(run(ctx, { op: OpCode.sync, path: '/' }).err).toBe(-119);
    expect(run(ctx, { op: OpCode.setData, path: '/a', data: null, version: -1 }).err).toBe(-119);
    expect(stat(ctx, '/a')?.dataLength).toBe(1);
    expect(engine.connect({ protocolVersion: 0, lastZxidSeen: 0n, timeOut: 10_000, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false }).refuse).toBe(true);
    const close = run(ctx, { op: OpCode.closeSession });
    expect(close).toMatchObject({ err: 0, close: true });
    expect(close.txn).toBeUndefined();
    expect(engine.expireSessions()).toEqual([]);
    expect(engine.lastZxid).toBe(zxid);
    engine.refuseWrites(undefined);
    expect(create(ctx, '/b').err).toBe(0);
  });
});
