#!/usr/bin/env node
// Server benchmark (issues #3, #9): ZooServer vs Apache ZooKeeper 3.8 (both fsync on) vs a
// canned-reply Node server (the ceiling), same load generator, same machine, one run.
//   npm run build && node tools/bench/src/server.mjs [--seconds 3]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startZooKeeper } from '@zoo/zookeeper';
import { populate, runLoad } from './load-generator.mjs';
import { cliArgs, spawnServer } from './bench-kit.mjs';

const args = cliArgs();
const seconds = Number(args.get('--seconds') ?? 3);

const scenarios = [
  ['get', 1, 1], ['set', 1, 1], ['create', 1, 1], ['mixed', 1, 1],
  ['get', 4, 64], ['set', 4, 64], ['create', 4, 64], ['mixed', 4, 64],
];

async function measure(name, target) {
  await populate(target.port);
  const rows = {};
  for (const [kind, connections, depth] of scenarios) {
    const r = await runLoad(target.port, { kind, connections, depth, seconds });
    rows[`${kind} ${connections}x${depth}`] = r;
    console.error(`${name.padEnd(10)} ${kind.padEnd(6)} ${connections}x${depth}: ${Math.round(r.opsPerSec).toString().padStart(7)} ops/s  p50 ${r.p50.toFixed(0)} µs  p99 ${r.p99.toFixed(0)} µs  p999 ${r.p999.toFixed(0)} µs`);
  }
  return rows;
}

const dir = mkdtempSync(join(tmpdir(), 'zoo-bench-'));
const results = {};
try {
  const zoo = await spawnServer('zoo-server-process.mjs', join(dir, 'zoo'));
  results.zoo = await measure('ZooServer', zoo);
  await zoo.stop();

  const zk = await startZooKeeper({ extraConfig: { forceSync: 'yes' } });
  // warm the JVM first (the first run is 30-50% slower)
  await populate(zk.nodes[0].clientPort);
  await runLoad(zk.nodes[0].clientPort, { kind: 'mixed', connections: 4, depth: 64, seconds: 3 });
  results.zookeeper = await measure('ZooKeeper', { port: zk.nodes[0].clientPort });
  await zk.stop();

  // in its own process like the servers: a round trip then pays the same cross-process wake-up
  const canned = await spawnServer('canned-server.mjs');
  results.ceiling = {};
  for (const [connections, depth] of [[1, 1], [4, 64]]) {
    const r = await runLoad(canned.port, { kind: 'get', connections, depth, seconds });
    results.ceiling[`get ${connections}x${depth}`] = r;
    console.error(`ceiling    get    ${connections}x${depth}: ${Math.round(r.opsPerSec)} ops/s  p50 ${r.p50.toFixed(0)} µs  p99 ${r.p99.toFixed(0)} µs`);
  }
  await canned.stop();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log('\n| scenario | ZooServer ops/s | ZooKeeper ops/s | ratio | Zoo p50/p99/p999 µs | ZK p50/p99/p999 µs |');
console.log('|---|---|---|---|---|---|');
for (const key of Object.keys(results.zoo)) {
  const a = results.zoo[key];
  const b = results.zookeeper[key];
  const f = (r) => `${r.p50.toFixed(0)} / ${r.p99.toFixed(0)} / ${r.p999.toFixed(0)}`;
  console.log(`| ${key} | ${Math.round(a.opsPerSec)} | ${Math.round(b.opsPerSec)} | ${(a.opsPerSec / b.opsPerSec).toFixed(2)}× | ${f(a)} | ${f(b)} |`);
}
for (const key of Object.keys(results.ceiling)) {
  const c = results.ceiling[key];
  const z = results.zoo[key];
  console.log(`| ceiling ${key} | canned Node server: ${Math.round(c.opsPerSec)} ops/s | ZooServer = ${((z.opsPerSec / c.opsPerSec) * 100).toFixed(0)}% of it | | | |`);
}
console.log(`\n${JSON.stringify(results)}`);
