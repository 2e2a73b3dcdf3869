#!/usr/bin/env node
// `npm run bench`: every benchmark, one after the other on a quiet machine, each in its own
// process. Each script prints its tables and ends with one JSON line; those lines are collected
// into docs/bench-results.json and charted into docs/benchmarks-ratios.svg.
// Every comparison with ZooKeeper is measured --runs times (default 5, what docs/benchmarks.md
// reports: median and min–max); --quick is one run of each, shorter, for a look.
//   node tools/bench/src/run-all.mjs [--only server,fanout] [--runs 5 | --quick] [--out docs/bench-results.json]
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ratioBars, renderRatioChart } from './chart.mjs';
import { cliArgs, runCount } from './bench-kit.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '../../..');
const args = cliArgs();
const out = args.get('--out') ?? join(root, 'docs/bench-results.json');
const only = args.get('--only')?.split(',');
const runs = runCount(args);
/** Passed to every script that repeats its figures (those comparing servers). */
const loadAtStart = loadavg().map((x) => Number(x.toFixed(2)));
const repeat = args.has('--quick') ? ['--quick'] : ['--runs', String(runs)];

/** name → [script, node flags, script args] */
const suites = {
  engine: ['engine.mjs', ['--expose-gc'], []],
  codec: ['codec.mjs', [], []],
  server: ['server.mjs', [], [...repeat]],
  client: ['client.mjs', [], [...repeat]],
  discovery: ['discovery.mjs', [], [...repeat]],
  lock: ['lock.mjs', [], [...repeat]],
  cache: ['cache.mjs', ['--expose-gc'], [...repeat]],
  fanout: ['fanout.mjs', [], ['1000', ...repeat]],
  // 1 connection × 1 in flight, ZooKeeper's Java client as the load generator
  javaLatency: ['java-latency.mjs', [], [...repeat]],
  // one record made durable at a time, the ways a log can do it (the commit's write + sync)
  logWrite: ['log-write.mjs', [], [...repeat]],
  startup: ['startup.mjs', [], ['--rounds', String(Math.max(runs, 5))]],
  // ZooServer and ZooKeeper with 1M znodes, both shapes (1,000 × 1,000 and 1M under one parent):
  // RSS and heap loaded and after restarts, restart from snapshot, 1M-txn log recovery
  memory: ['memory.mjs', ['--max-old-space-size=8192'], ['--shape', 'both', ...repeat]],
  // a client pipelining 5,000 getData of a 1 MB node and never reading: RSS growth, others served
  'slow-reader': ['slow-reader.mjs', [], ['--runs', String(runs)]],
  // how long after a client dies its ephemerals go (10 s sessions, tickTime 2000)
  'session-expiry': ['session-expiry.mjs', [], []],
};
const unknown = only?.filter((n) => !(n in suites)) ?? [];
if (unknown.length) throw new Error(`unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(suites).join(', ')}`);

function run(name, [script, flags, scriptArgs]) {
  return new Promise((resolve, reject) => {
    console.error(`\n## ${name}: node ${[...flags, `tools/bench/src/${script}`, ...scriptArgs].join(' ')}`);
    const child = spawn(process.execPath, [...flags, join(here, script), ...scriptArgs], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      process.stdout.write(d);
    });
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`${script} exited with ${code}`));
      const last = stdout.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(last));
      } catch {
        reject(new Error(`${script} did not end with a JSON line`));
      }
    });
  });
}

// a partial run updates its sections and keeps the others from the last full run
const results = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : {};
const failed = [];
// when each section was measured: a partial run keeps the others' entries
const sections = results.meta?.sections ?? {};
for (const [name, suite] of Object.entries(suites)) {
  if (only && !only.includes(name)) continue;
  try {
    const startedAt = new Date().toISOString();
    results[name] = await run(name, suite);
    sections[name] = { startedAt, endedAt: new Date().toISOString(), runs: args.has('--quick') ? 1 : runs, loadAverage: loadavg().map((x) => Number(x.toFixed(2))) };
  } catch (err) {
    failed.push(name);
    console.error(`${name}: ${err.message}`);
  }
}
results.meta = { date: new Date().toISOString().slice(0, 10), node: process.version, machine: `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB`, runs: args.has('--quick') ? 1 : runs, loadAverage: { atStart: loadAtStart, atEnd: loadavg().map((x) => Number(x.toFixed(2))) }, sections };
writeFileSync(out, `${JSON.stringify(results, null, 1)}\n`);
const bars = ratioBars(results);
const svg = join(dirname(out), 'benchmarks-ratios.svg');
writeFileSync(svg, renderRatioChart(bars, { subtitle: `${results.meta.date}, ${results.meta.machine}, Node ${process.version}` }));
console.log(`\n${out} and ${svg} written (${bars.length} ratios)`);
for (const b of bars) console.log(`${b.group.padEnd(20)} ${b.label.padEnd(34)} ${b.ratio.toFixed(2)}×${b.target !== undefined ? `  target ${b.target}× ${b.ratio >= b.target ? 'met' : 'NOT met'}` : ''}`);
if (failed.length) {
  console.error(`failed: ${failed.join(', ')}`);
  process.exitCode = 1;
}
