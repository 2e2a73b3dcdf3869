#!/usr/bin/env node
// Client benchmark (issue #4): ZooClient vs node-zookeeper-client vs the native `zookeeper`
// binding (the C client; optional dependency, skipped if it did not build), each against the
// same ZooServer (own process; in-memory, so the client is the bottleneck, and durable) and then
// the same Apache ZooKeeper 3.8 (warmed up, fsync on); same pipelining
// depth, 100-byte values: ops/s and the client process's CPU time per operation (all threads).
//   npm run build && node tools/bench/src/client.mjs [--ops 50000] [--runs 5 | --quick]
// Each figure: the median (min–max) of --runs measurements on one connection, after a warm-up.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZooClient } from '@zoo/client';
import zookeeper from 'node-zookeeper-client';
import { cliArgs, fmtField, runCount, spawnZooServer, startZooKeeperProcess, summarizeRuns } from './bench-kit.mjs';

const args = cliArgs();
const OPS = Number(args.get('--ops') ?? 50_000);
const runs = runCount(args);
const VALUE = Buffer.alloc(100, 0x62);

/** Keeps `depth` operations in flight until `total` are done; returns ops/s and CPU µs per op. */
async function drive(op, total, depth) {
  let started = 0;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: depth }, async () => {
      while (started < total) {
        started++;
        await op(started);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  return { opsPerSec: total / seconds, cpuUsPerOp: (cpu.user + cpu.system) / total };
}

/** The native binding, if its optional install built. */
async function nativeBinding() {
  try {
    return (await import('zookeeper')).default;
  } catch (err) {
    console.error(`native zookeeper binding not available (${err.message}): skipped`);
    return undefined;
  }
}
const Native = await nativeBinding();

/** Each client under test: connect → { get, set, close }. */
const clients = [
  ['ZooClient', async (cs) => {
    const zoo = await ZooClient.connect(cs);
    return { get: () => zoo.getData('/cb'), set: () => zoo.setData('/cb', VALUE), close: () => zoo.close() };
  }],
  ['node-zookeeper-client', async (cs) => {
    const nzk = zookeeper.createClient(cs, { retries: 0 });
    await new Promise((r) => {
      nzk.once('connected', r);
      nzk.connect();
    });
    return {
      get: () => new Promise((resolve, reject) => nzk.getData('/cb', (err, data) => (err ? reject(err) : resolve(data)))),
      set: () => new Promise((resolve, reject) => nzk.setData('/cb', VALUE, -1, (err, stat) => (err ? reject(err) : resolve(stat)))),
      close: async () => nzk.close(),
    };
  }],
  ...(Native ? [['zookeeper (native C binding)', async (cs) => {
    const native = new Native({ connect: cs, timeout: 30000, debug_level: 0, host_order_deterministic: false });
    await new Promise((r) => {
      native.once('connect', r);
      native.init({});
    });
    return { get: () => native.get('/cb', false), set: () => native.set('/cb', VALUE, -1), close: async () => native.close() };
  }]] : []),
];

async function measure(serverName, connectionString) {
  const setup = await ZooClient.connect(connectionString);
  if (!(await setup.exists('/cb'))) await setup.create('/cb', VALUE);
  await setup.close();
  const rows = [];
  for (const depth of [1, 64]) {
    for (const [name, open] of clients) {
      const c = await open(connectionString);
      const total = depth === 1 ? Math.min(OPS, 20_000) : OPS;
      await drive(c.get, 2000, depth); // warm up
      const gets = [];
      const sets = [];
      for (let r = 0; r < runs; r++) {
        const g = await drive(c.get, total, depth);
        const s = await drive(c.set, Math.floor(total / 2), depth);
        gets.push(g);
        sets.push(s);
        console.error(`${serverName.padEnd(20)} ${name.padEnd(30)} depth ${String(depth).padStart(2)}: get ${Math.round(g.opsPerSec)} ops/s ${g.cpuUsPerOp.toFixed(1)} µs CPU/op; set ${Math.round(s.opsPerSec)} ops/s ${s.cpuUsPerOp.toFixed(1)} µs CPU/op`);
      }
      await c.close();
      rows.push({ server: serverName, name, depth, get: summarizeRuns(gets), set: summarizeRuns(sets) });
    }
  }
  return rows;
}

const rows = [];
const memory = await spawnZooServer();
rows.push(...(await measure('ZooServer in-memory', memory.connectionString)));
await memory.stop();
const dir = mkdtempSync(join(tmpdir(), 'zoo-client-bench-'));
const durable = await spawnZooServer(dir);
rows.push(...(await measure('ZooServer durable', durable.connectionString)));
await durable.stop();
rmSync(dir, { recursive: true, force: true });

const zk = await startZooKeeperProcess({ forceSync: 'yes' });
{
  // warm the JVM first (its first 100k requests run 30-50% slower), so no client pays for it
  const warm = await ZooClient.connect(zk.connectionString);
  if (!(await warm.exists('/cb'))) await warm.create('/cb', VALUE);
  await drive(() => warm.getData('/cb'), 100_000, 64);
  await drive(() => warm.setData('/cb', VALUE), 30_000, 64);
  await warm.close();
}
rows.push(...(await measure('ZooKeeper', zk.connectionString)));
await zk.stop();

const ops = (v) => Math.round(v).toLocaleString('en-US');
const us = (v) => v.toFixed(1);
console.log(`\nmedian (min–max) of ${runs} runs\n| server | client | depth | get ops/s | get CPU µs/op | set ops/s | set CPU µs/op |`);
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.server} | ${r.name} | ${r.depth} | ${fmtField(r.get, 'opsPerSec', ops)} | ${fmtField(r.get, 'cpuUsPerOp', us)} | ${fmtField(r.set, 'opsPerSec', ops)} | ${fmtField(r.set, 'cpuUsPerOp', us)} |`);
console.log(JSON.stringify(rows));
