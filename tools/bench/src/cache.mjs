#!/usr/bin/env node
// Cache benchmark (issue #14): Zoo's TreeCache and Curator's CuratorCache over the same tree on
// Apache ZooKeeper 3.8 (and Zoo's also on ZooServer, in its own process): full load time, heap per
// cached node (heap with the cache minus heap after close()), and
// change → event latency (a second client's setData until the cache emits `changed`).
//   npm run build && node --expose-gc tools/bench/src/cache.mjs [--nodes 10000] [--rounds 300] [--runs 5 | --quick]
// Each figure: the median (min–max) of --runs measurements, after one for warm-up.
import { fileURLToPath } from 'node:url';
import { ZooClient, ZooSession } from '@zoo/client';
import { TreeCache } from '@zoo/recipes';
import { compileJava, curatorAvailable, runJavaToEnd } from '@zoo/zookeeper';
import { cliArgs, fmtField, percentile, runCount, spawnServer, startZooKeeperProcess, summarizeRuns } from './bench-kit.mjs';

const args = cliArgs();
const nodes = Number(args.get('--nodes') ?? 10_000);
const rounds = Number(args.get('--rounds') ?? 300);
const runs = runCount(args);
const ROOT = '/bench-cache';
const pathOf = (i) => `${ROOT}/p${i % 10}/n${i % (nodes / 10)}`;

async function buildTree(connectionString) {
  const client = await ZooClient.connect(connectionString);
  await client.deleteRecursive(ROOT);
  await client.mkdirp(ROOT);
  const data = Buffer.alloc(64);
  for (let p = 0; p < 10; p++) await client.create(`${ROOT}/p${p}`);
  for (let start = 0; start < nodes; start += 500) {
    const tx = client.transaction();
    for (let i = start; i < Math.min(nodes, start + 500); i++) tx.create(`${ROOT}/p${Math.floor(i / (nodes / 10))}/n${i % (nodes / 10)}`, data);
    await tx.commit();
  }
  await client.close();
}

const heap = () => {
  for (let i = 0; i < 3; i++) globalThis.gc?.();
  return process.memoryUsage().heapUsed;
};

async function zoo(connectionString) {
  const reader = new ZooSession(connectionString);
  await reader.start();
  const writer = await ZooClient.connect(connectionString);
  const cache = new TreeCache(reader, ROOT);
  const t0 = performance.now();
  await cache.start();
  const loadMs = performance.now() - t0;
  const loaded = heap();
  const latencies = [];
  const data = Buffer.alloc(64);
  for (let i = 0; i < rounds; i++) {
    const path = pathOf(i);
    const seen = new Promise((resolve) => {
      const on = (e) => {
        if (e.path !== path) return;
        cache.off('changed', on);
        resolve();
      };
      cache.on('changed', on);
    });
    const t = performance.now();
    await writer.setData(path, data);
    await seen;
    latencies.push(performance.now() - t);
  }
  const size = cache.size;
  await cache.close();
  const row = { loadMs, bytesPerNode: (loaded - heap()) / size, p50: percentile(latencies, 50), p99: percentile(latencies, 99), size };
  await writer.close();
  await reader.close();
  return row;
}

async function curator(classes, connectionString) {
  const out = await runJavaToEnd(classes, 'CuratorCacheBench', [connectionString, ROOT, String(nodes), String(rounds)]);
  return JSON.parse(out.trim().split('\n').at(-1));
}

const fig = (r, field, digits) => fmtField(r, field, (v) => v.toFixed(digits));
const fmt = (r) => `load ${fig(r, 'loadMs', 1)} ms, ${fig(r, 'bytesPerNode', 0)} B/node, change→event p50 ${fig(r, 'p50', 2)} ms p99 ${fig(r, 'p99', 2)} ms (${r.size} nodes, ${r.runs} runs)`;
/** One run to warm up (both processes' JIT, a JVM's first run), then `runs` measured. */
async function measured(once) {
  await once();
  const rows = [];
  for (let i = 0; i < runs; i++) rows.push(await once());
  return summarizeRuns(rows);
}
const results = {};
const server = await spawnServer('zoo-server-process.mjs'); // its own process: the cache does not share its event loop
try {
  await buildTree(server.connectionString);
  results.zooOnZooServer = await measured(() => zoo(server.connectionString));
  console.error(`Zoo TreeCache on ZooServer: ${fmt(results.zooOnZooServer)}`);
} finally {
  await server.stop();
}
const zk = await startZooKeeperProcess();
try {
  await buildTree(zk.connectionString);
  results.zoo = await measured(() => zoo(zk.connectionString));
  console.error(`Zoo TreeCache on ZooKeeper: ${fmt(results.zoo)}`);
  if (curatorAvailable()) {
    const classes = compileJava([fileURLToPath(new URL('../fixtures/CuratorCacheBench.java', import.meta.url))]);
    results.curator = await measured(() => curator(classes, zk.connectionString));
    console.error(`Curator CuratorCache on ZooKeeper: ${fmt(results.curator)}`);
  } else console.error('Curator jars missing: Curator side skipped');
} finally {
  await zk.stop();
}
console.log(`median (min–max) of ${runs} runs\n| cache | server | full load ms | heap B/node | change→event p50 / p99 ms |\n|---|---|---|---|---|`);
const line = (name, srv, r) => r && console.log(`| ${name} | ${srv} | ${fig(r, 'loadMs', 1)} | ${fig(r, 'bytesPerNode', 0)} | ${fig(r, 'p50', 2)} / ${fig(r, 'p99', 2)} |`);
line('Zoo TreeCache', 'ZooServer', results.zooOnZooServer);
line('Zoo TreeCache', 'ZooKeeper 3.8', results.zoo);
line('Curator CuratorCache', 'ZooKeeper 3.8', results.curator);
console.log(JSON.stringify({ nodes, rounds, runs, ...results }));
