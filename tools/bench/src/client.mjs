#!/usr/bin/env node
// Client benchmark (issue #4): ZooClient vs node-zookeeper-client against the same ZooServer
// (in its own process), same pipelining depth, 100-byte values: ops/s and the client
// process's CPU time per operation.
//   npm run build && node tools/bench/src/client.mjs [--ops 50000]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ZooClient } from '@zoo/client';
import zookeeper from 'node-zookeeper-client';

const args = new Map(process.argv.slice(2).map((a, i, all) => [a, all[i + 1]]));
const OPS = Number(args.get('--ops') ?? 50_000);
const VALUE = Buffer.alloc(100, 0x62);
const here = fileURLToPath(new URL('.', import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'zoo-client-bench-'));
const proc = spawn(process.execPath, [join(here, 'zoo-server-process.mjs'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise((r) => proc.stdout.once('data', (d) => r(Number(d.toString().trim()))));
const connectionString = `127.0.0.1:${port}`;

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

const zoo = await ZooClient.connect(connectionString);
await zoo.create('/cb', VALUE);
const nzk = zookeeper.createClient(connectionString, { retries: 0 });
await new Promise((r) => {
  nzk.once('connected', r);
  nzk.connect();
});
const nzkGet = () => new Promise((resolve, reject) => nzk.getData('/cb', (err, data) => (err ? reject(err) : resolve(data))));
const nzkSet = () => new Promise((resolve, reject) => nzk.setData('/cb', VALUE, -1, (err, stat) => (err ? reject(err) : resolve(stat))));

const rows = [];
for (const depth of [1, 64]) {
  for (const [name, get, set] of [
    ['ZooClient', () => zoo.getData('/cb'), () => zoo.setData('/cb', VALUE)],
    ['node-zookeeper-client', nzkGet, nzkSet],
  ]) {
    const total = depth === 1 ? Math.min(OPS, 20_000) : OPS;
    await drive(get, 2000, depth); // warm up
    const g = await drive(get, total, depth);
    const s = await drive(set, Math.floor(total / 2), depth);
    rows.push({ name, depth, get: g, set: s });
    console.error(`${name.padEnd(22)} depth ${String(depth).padStart(2)}: get ${Math.round(g.opsPerSec)} ops/s ${g.cpuUsPerOp.toFixed(1)} µs CPU/op; set ${Math.round(s.opsPerSec)} ops/s ${s.cpuUsPerOp.toFixed(1)} µs CPU/op`);
  }
}
await zoo.close();
nzk.close();
proc.kill('SIGTERM');
await new Promise((r) => proc.once('exit', r));
rmSync(dir, { recursive: true, force: true });

console.log('\n| client | depth | get ops/s | get CPU µs/op | set ops/s | set CPU µs/op |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.name} | ${r.depth} | ${Math.round(r.get.opsPerSec)} | ${r.get.cpuUsPerOp.toFixed(1)} | ${Math.round(r.set.opsPerSec)} | ${r.set.cpuUsPerOp.toFixed(1)} |`);
console.log(`\n${JSON.stringify(rows)}`);
