#!/usr/bin/env node
// Lock benchmark (issue #6): uncontended acquire+release latency, and contended hand-off
// latency (holder releases → next holder is inside), on ZooServer and Apache ZooKeeper.
//   npm run build && node tools/bench/src/lock.mjs [--rounds 200]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZooSession } from '@zoo/client';
import { Mutex } from '@zoo/lock';
import { ZooServer } from '@zoo/server';
import { startZooKeeper } from '@zoo/zookeeper';

const args = new Map(process.argv.slice(2).map((a, i, all) => [a, all[i + 1]]));
const rounds = Number(args.get('--rounds') ?? 200);
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function measure(name, connectionString) {
  const a = new ZooSession(connectionString);
  const b = new ZooSession(connectionString);
  await a.start();
  await b.start();
  const ma = new Mutex(a, '/bench-lock');
  const mb = new Mutex(b, '/bench-lock');
  const uncontended = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    const lease = await ma.acquire();
    await lease.release();
    uncontended.push(performance.now() - t);
  }
  const handoff = [];
  for (let i = 0; i < rounds / 4; i++) {
    const held = await ma.acquire();
    const next = mb.acquire();
    await new Promise((r) => setTimeout(r, 2)); // let b queue up behind a
    const t = performance.now();
    await held.release();
    const lease = await next;
    handoff.push(performance.now() - t);
    await lease.release();
  }
  await a.close();
  await b.close();
  const row = { name, u50: pct(uncontended, 50), u99: pct(uncontended, 99), h50: pct(handoff, 50), h99: pct(handoff, 99) };
  console.error(`${name}: acquire+release p50 ${row.u50.toFixed(2)} ms p99 ${row.u99.toFixed(2)} ms; hand-off p50 ${row.h50.toFixed(2)} ms p99 ${row.h99.toFixed(2)} ms`);
  return row;
}

const rows = [];
const memory = await ZooServer.start({ port: 0 });
rows.push(await measure('ZooServer (in-memory)', memory.connectionString));
await memory.close();
const dir = mkdtempSync(join(tmpdir(), 'zoo-lock-bench-'));
const durable = await ZooServer.start({ port: 0, dataDir: dir });
rows.push(await measure('ZooServer (durable, fsync)', durable.connectionString));
await durable.close();
rmSync(dir, { recursive: true, force: true });
const zk = await startZooKeeper();
await measure('warm-up', zk.connectionString);
rows.push(await measure('Apache ZooKeeper 3.8', zk.connectionString));
await zk.stop();
console.log('| server | acquire+release p50 / p99 ms | hand-off p50 / p99 ms |\n|---|---|---|');
for (const r of rows) console.log(`| ${r.name} | ${r.u50.toFixed(2)} / ${r.u99.toFixed(2)} | ${r.h50.toFixed(2)} / ${r.h99.toFixed(2)} |`);
console.log(JSON.stringify(rows));
