#!/usr/bin/env node
// Latency at 1 connection × 1 in flight with ZooKeeper's own Java client as the load generator
// (issue #12): synchronous getData / setData of a 100-byte node from one JVM
// (tools/bench/fixtures/LatencyProbe.java; an error reply throws there, it is never counted),
// against ZooServer (durable, its own process) and Apache ZooKeeper 3.8 (forceSync), both with
// the same snapCount; --runs rounds, the servers taking turns. Median and min–max of the runs.
//   npm run build && node tools/bench/src/java-latency.mjs [--seconds 5] [--runs 5 | --quick]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileJava, runJavaToEnd } from '@zoo/zookeeper';
import { cliArgs, fmtField, runCount, serversNote, spawnZooServer, startZooKeeperProcess, summarizeRuns } from './bench-kit.mjs';

const args = cliArgs();
const runs = runCount(args);
const seconds = Number(args.get('--seconds') ?? (args.has('--quick') ? 2 : 5));
const classes = compileJava([fileURLToPath(new URL('../fixtures/LatencyProbe.java', import.meta.url))]);
const probe = async (port, op, secs, warmup) => JSON.parse((await runJavaToEnd(classes, 'LatencyProbe', [`127.0.0.1:${port}`, op, String(secs), String(warmup)])).trim().split('\n').at(-1));

console.error(`${serversNote()}; ${runs} run(s) of ${seconds} s; client: ZooKeeper's Java client`);
const dir = mkdtempSync(join(tmpdir(), 'zoo-java-latency-'));
const zoo = await spawnZooServer(join(dir, 'zoo'));
const zk = await startZooKeeperProcess({ forceSync: 'yes' });
const perRun = { zoo: { get: [], set: [] }, zookeeper: { get: [], set: [] } };
try {
  await probe(zk.port, 'get', 3, 2); // the server JVM's warm-up
  for (let r = 0; r < runs; r++) {
    for (const op of ['get', 'set']) {
      for (const [side, server] of [['zoo', zoo], ['zookeeper', zk]]) {
        const m = await probe(server.port, op, seconds, 1);
        perRun[side][op].push(m);
        console.error(`${side.padEnd(9)} ${op}: ${Math.round(m.opsPerSec)} ops/s p50 ${m.p50} µs p99 ${m.p99} µs p999 ${m.p999} µs max ${m.max} µs`);
      }
    }
  }
} finally {
  await zoo.stop();
  await zk.stop();
  rmSync(dir, { recursive: true, force: true });
}
const result = { runs, seconds };
for (const side of ['zoo', 'zookeeper']) result[side] = { get: summarizeRuns(perRun[side].get), set: summarizeRuns(perRun[side].set) };
const f = (r, k) => fmtField(r, k, (v) => Math.round(v).toLocaleString('en-US'));
console.log(`${serversNote()}; Java client, 1 connection × 1 in flight; median (min–max) of ${runs} runs of ${seconds} s`);
console.log('| op | server | ops/s | p50 µs | p99 µs | p999 µs |\n|---|---|---|---|---|---|');
for (const op of ['get', 'set']) {
  for (const [side, name] of [['zoo', 'ZooServer'], ['zookeeper', 'ZooKeeper 3.8']]) {
    const r = result[side][op];
    console.log(`| ${op} 1×1 | ${name} | ${f(r, 'opsPerSec')} | ${f(r, 'p50')} | ${f(r, 'p99')} | ${f(r, 'p999')} |`);
  }
}
console.log(JSON.stringify(result));
