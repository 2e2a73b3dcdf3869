#!/usr/bin/env node
// Server benchmark (issues #3, #9, #12): ZooServer vs Apache ZooKeeper 3.8 (both fsync on, both
// in processes of their own with the same snapCount; ZooKeeper's JVM flags in bench-kit.mjs) vs
// a canned-reply Node server (the ceiling), same load generator, same machine. Each scenario is
// measured --runs times (default 5), the servers taking turns scenario by scenario so that load
// elsewhere on the machine hits both alike; the table gives the median and min–max of the runs.
// Every reply's error code is checked: a scenario with any error reply fails the benchmark.
//   npm run build && node tools/bench/src/server.mjs [--seconds 3] [--runs 5 | --quick]
//        [--tree 1000] [--scenarios set:4:64,create:4:64]
// --tree N: the tree every scenario starts from holds N znodes under /bench (gets and sets go to
// the first 1,000), to compare the servers with a large tree (snapshots of it) on both sides.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertClean, populate, removeCreated, runLoad } from './load-generator.mjs';
import { cliArgs, fmtField, fmtSummary, runCount, serversNote, spawnServer, spawnZooServer, startZooKeeperProcess, summarizeRuns, summary } from './bench-kit.mjs';

const args = cliArgs();
const seconds = Number(args.get('--seconds') ?? (args.has('--quick') ? 1 : 3));
const runs = runCount(args);

const treeKeys = Number(args.get('--tree') ?? 1000);
if (!Number.isInteger(treeKeys) || treeKeys < 1000) throw new Error(`--tree is a number of znodes, at least 1000, not ${args.get('--tree')}`);
const scenarios = args.has('--scenarios')
  ? args.get('--scenarios').split(',').map((s) => {
      const [kind, c, d] = s.split(':');
      if (!['get', 'set', 'create', 'mixed'].includes(kind) || !(Number(c) > 0) || !(Number(d) > 0)) throw new Error(`--scenarios: "${s}" is not kind:connections:depth`);
      return [kind, Number(c), Number(d)];
    })
  : [
      ['get', 1, 1], ['set', 1, 1], ['create', 1, 1], ['mixed', 1, 1],
      ['get', 4, 64], ['set', 4, 64], ['create', 4, 64], ['mixed', 4, 64],
    ];

async function once(name, port, kind, connections, depth) {
  const r = assertClean(`${name} ${kind} ${connections}x${depth}`, await runLoad(port, { kind, connections, depth, seconds }));
  // every scenario starts from the same tree on both servers (see removeCreated)
  await removeCreated(port, r);
  console.error(`${name.padEnd(10)} ${kind.padEnd(6)} ${connections}x${depth}: ${Math.round(r.opsPerSec).toString().padStart(7)} ops/s  p50 ${r.p50.toFixed(0)} µs  p99 ${r.p99.toFixed(0)} µs  p999 ${r.p999.toFixed(0)} µs`);
  return { opsPerSec: r.opsPerSec, p50: r.p50, p99: r.p99, p999: r.p999 };
}

console.error(`${serversNote()}; ${runs} run(s) of ${seconds} s per scenario; ${treeKeys} znodes under /bench`);
const dir = mkdtempSync(join(tmpdir(), 'zoo-bench-'));
const perRun = { zoo: {}, zookeeper: {}, ceiling: {} };
const servers = [];
try {
  const zoo = await spawnZooServer(join(dir, 'zoo'));
  servers.push(zoo);
  const zk = await startZooKeeperProcess({ forceSync: 'yes' });
  servers.push(zk);
  await populate(zoo.port, treeKeys);
  await populate(zk.port, treeKeys);
  // warm the JVM first (its first run is 30-50% slower), and ZooServer's JIT alike
  assertClean('ZooKeeper warm-up', await runLoad(zk.port, { kind: 'mixed', connections: 4, depth: 64, seconds: 3 }));
  assertClean('ZooServer warm-up', await runLoad(zoo.port, { kind: 'mixed', connections: 4, depth: 64, seconds: 1 }));
  for (let r = 0; r < runs; r++) {
    for (const [kind, connections, depth] of scenarios) {
      const key = `${kind} ${connections}x${depth}`;
      (perRun.zoo[key] ??= []).push(await once('ZooServer', zoo.port, kind, connections, depth));
      (perRun.zookeeper[key] ??= []).push(await once('ZooKeeper', zk.port, kind, connections, depth));
    }
  }
  // in its own process like the servers: a round trip then pays the same cross-process wake-up
  // (the ceiling is of gets on a small tree: only with the default scenarios)
  const canned = args.has('--scenarios') || treeKeys !== 1000 ? null : await spawnServer('canned-server.mjs');
  if (canned) servers.push(canned);
  for (let r = 0; canned && r < runs; r++) {
    for (const [connections, depth] of [[1, 1], [4, 64]]) {
      (perRun.ceiling[`get ${connections}x${depth}`] ??= []).push(await once('ceiling', canned.port, 'get', connections, depth));
    }
  }
} finally {
  for (const s of servers) await s.stop();
  rmSync(dir, { recursive: true, force: true });
}

// each figure: the median of the runs, with its range
const results = { runs, seconds, tree: treeKeys, servers: serversNote() };
for (const side of ['zoo', 'zookeeper', 'ceiling']) {
  results[side] = {};
  for (const [key, rows] of Object.entries(perRun[side])) results[side][key] = summarizeRuns(rows);
}
const fig = (r, field, f = (v) => Math.round(v).toLocaleString('en-US')) => fmtField(r, field, f);
console.log(`\n${serversNote()}; median (min–max) of ${runs} runs of ${seconds} s`);
console.log('\n| scenario | ZooServer ops/s | ZooKeeper ops/s | ratio (median of paired runs) | Zoo p50 / p99 µs | ZK p50 / p99 µs |');
console.log('|---|---|---|---|---|---|');
for (const key of Object.keys(results.zoo)) {
  const a = results.zoo[key];
  const b = results.zookeeper[key];
  const ratios = summary(perRun.zoo[key].map((x, i) => x.opsPerSec / perRun.zookeeper[key][i].opsPerSec));
  console.log(`| ${key} | ${fig(a, 'opsPerSec')} | ${fig(b, 'opsPerSec')} | ${fmtSummary(ratios, (v) => `${v.toFixed(2)}×`)} | ${fig(a, 'p50')} / ${fig(a, 'p99')} | ${fig(b, 'p50')} / ${fig(b, 'p99')} |`);
}
for (const key of Object.keys(results.ceiling)) {
  const c = results.ceiling[key];
  const z = results.zoo[key];
  console.log(`| ceiling ${key} | canned Node server: ${fig(c, 'opsPerSec')} ops/s | ZooServer = ${((z.opsPerSec / c.opsPerSec) * 100).toFixed(0)}% of it | | | |`);
}
console.log(`\n${JSON.stringify(results)}`);
