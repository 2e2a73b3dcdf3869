#!/usr/bin/env node
// Engine-only benchmark (issue #2): in-process, one core, no I/O.
//   getData and setData on a 100k-node tree; heap of 1M znodes with 100-byte values.
// Run after `npm run build`:  node --expose-gc tools/bench/src/engine.mjs [--nodes 1000000]
import { OpCode, ZooEngine, OPEN_ACL_UNSAFE } from '@zoo/core';
import { cliArgs } from './bench-kit.mjs';

const args = cliArgs();
const bigNodes = Number(args.get('--nodes') ?? 1_000_000);
const gc = globalThis.gc ?? (() => {});

function setup(n) {
  const engine = new ZooEngine();
  const { response } = engine.connect({ protocolVersion: 0, lastZxidSeen: 0n, timeOut: 30_000, sessionId: 0n, passwd: Buffer.alloc(16) });
  const ctx = { watcher: { id: 1 }, sessionId: response.sessionId, authInfo: [{ scheme: 'ip', id: '127.0.0.1' }] };
  const acl = [...OPEN_ACL_UNSAFE];
  const value = Buffer.alloc(100, 7);
  const parents = Math.ceil(n / 1000);
  for (let p = 0; p < parents; p++) engine.process(ctx, 0, { op: OpCode.create, path: `/p${p}`, data: null, acl, flags: 0 });
  for (let i = 0; i < n; i++) {
    engine.process(ctx, 0, { op: OpCode.create, path: `/p${i % parents}/n${i}`, data: value, acl, flags: 0 });
  }
  return { engine, ctx, parents, value };
}

function measure(name, ops, fn) {
  fn(Math.min(ops, 20_000)); // warm up
  const start = process.hrtime.bigint();
  fn(ops);
  const ns = Number(process.hrtime.bigint() - start);
  const rate = ops / (ns / 1e9);
  console.log(`${name.padEnd(28)} ${Math.round(rate).toLocaleString('en-US').padStart(12)} ops/s  (${(ns / ops).toFixed(0)} ns/op)`);
  return rate;
}

const { engine, ctx, parents, value } = setup(100_000);
const paths = Array.from({ length: 100_000 }, (_, i) => `/p${i % parents}/n${i}`);
const requests = paths.map((path) => ({ op: OpCode.getData, path, watch: false }));
const results = {};
results.getData = measure('getData (100k tree)', 2_000_000, (n) => {
  for (let i = 0; i < n; i++) engine.process(ctx, i, requests[i % requests.length]);
});
const sets = paths.map((path) => ({ op: OpCode.setData, path, data: value, version: -1 }));
results.setData = measure('setData (100k tree)', 1_000_000, (n) => {
  for (let i = 0; i < n; i++) engine.process(ctx, i, sets[i % sets.length]);
});

gc();
const before = process.memoryUsage();
const big = setup(bigNodes);
gc();
const after = process.memoryUsage();
const heapMiB = (after.heapUsed - before.heapUsed) / 2 ** 20;
const externalMiB = (after.external + after.arrayBuffers - before.external - before.arrayBuffers) / 2 ** 20;
console.log(`${bigNodes.toLocaleString('en-US')} znodes x 100 B: heap ${heapMiB.toFixed(0)} MiB, external (data buffers) ${externalMiB.toFixed(0)} MiB, nodes ${big.engine.stats().nodeCount}`);
console.log(JSON.stringify({ getDataPerSec: Math.round(results.getData), setDataPerSec: Math.round(results.setData), heapMiB: Math.round(heapMiB), externalMiB: Math.round(externalMiB) }));
