#!/usr/bin/env node
// Lock benchmark (issue #6): uncontended acquire+release latency, and contended hand-off
// latency (holder releases → next holder is inside), on ZooServer and Apache ZooKeeper.
//   npm run build && node tools/bench/src/lock.mjs [--rounds 200]
import { ZooSession } from '@zoo/client';
import { Mutex } from '@zoo/lock';
import { acrossServers, cliArgs, fmtField, percentile, runCount, serversNote, summarizeRuns } from './bench-kit.mjs';

const args = cliArgs();
const rounds = Number(args.get('--rounds') ?? 200);

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
  const row = { name, u50: percentile(uncontended, 50), u99: percentile(uncontended, 99), h50: percentile(handoff, 50), h99: percentile(handoff, 99) };
  console.error(`${name}: acquire+release p50 ${row.u50.toFixed(2)} ms p99 ${row.u99.toFixed(2)} ms; hand-off p50 ${row.h50.toFixed(2)} ms p99 ${row.h99.toFixed(2)} ms`);
  return row;
}

const runs = runCount(args);
console.error(`${serversNote()}; ${runs} run(s)`);
// one row per server: each figure is the median of the runs, range[figure] its min and max
const rows = (await acrossServers(measure, runs)).map(({ name, perRun }) => ({ name, ...summarizeRuns(perRun.map(({ name: _, ...figures }) => figures)) }));
const ms = (r, k) => fmtField(r, k, (v) => v.toFixed(2));
console.log(`${serversNote()}; median (min–max) of ${runs} runs`);
console.log('| server | acquire+release p50 / p99 ms | hand-off p50 / p99 ms |\n|---|---|---|');
for (const r of rows) console.log(`| ${r.name} | ${ms(r, 'u50')} / ${ms(r, 'u99')} | ${ms(r, 'h50')} / ${ms(r, 'h99')} |`);
console.log(JSON.stringify(rows));
