#!/usr/bin/env node
// Restart time (issue #9): a data dir holding 1M znodes × 100 B in a snapshot, and one holding
// the same as 1M logged transactions; time from ZooServer.start() to serving, and the heap.
//   npm run build && node --expose-gc tools/bench/src/recovery.mjs [--nodes 1000000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpCode, OPEN_ACL_UNSAFE, ZooEngine } from '@zoo/core';
import { openTxnStore, ZooServer } from '@zoo/server';

const args = new Map(process.argv.slice(2).map((a, i, all) => [a, all[i + 1]]));
const N = Number(args.get('--nodes') ?? 1_000_000);
const gc = globalThis.gc ?? (() => {});

async function prepare(withSnapshot) {
  const dir = mkdtempSync(join(tmpdir(), 'zoo-recovery-'));
  const store = await openTxnStore({ dataDir: dir, snapCount: 10_000_000 });
  const engine = new ZooEngine();
  await store.recover(engine);
  const ctx = { watcher: { id: 1 }, sessionId: 0n, authInfo: [{ scheme: 'super', id: '' }] };
  const acl = [...OPEN_ACL_UNSAFE];
  const value = Buffer.alloc(100, 7);
  const parents = Math.ceil(N / 1000);
  for (let p = 0; p < parents; p++) store.append(engine.process(ctx, 0, { op: OpCode.create, path: `/p${p}`, data: null, acl, flags: 0 }).txn);
  for (let i = 0; i < N; i++) {
    store.append(engine.process(ctx, 0, { op: OpCode.create, path: `/p${i % parents}/n${i}`, data: value, acl, flags: 0 }).txn);
    if (i % 50_000 === 0) await store.sync();
  }
  await store.sync();
  if (withSnapshot) {
    await store.writeSnapshot(engine);
    // the server keeps writing after a snapshot: those txns go to a fresh log file
    store.append(engine.process(ctx, 0, { op: OpCode.create, path: '/after-snapshot', data: null, acl, flags: 0 }).txn);
    await store.sync();
  }
  await store.close();
  return dir;
}

for (const [label, withSnapshot] of [['snapshot', true], ['log only', false]]) {
  const dir = await prepare(withSnapshot);
  gc();
  const before = process.memoryUsage().heapUsed;
  const t = performance.now();
  const server = await ZooServer.start({ port: 0, dataDir: dir });
  const ms = performance.now() - t;
  gc();
  const heap = (process.memoryUsage().heapUsed - before) / 2 ** 20;
  console.log(`${label}: ${N.toLocaleString('en-US')} znodes serving after ${(ms / 1000).toFixed(2)} s, heap ${heap.toFixed(0)} MiB, nodes ${server.engine.stats().nodeCount}`);
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
