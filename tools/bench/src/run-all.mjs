#!/usr/bin/env node
// `npm run bench`: every benchmark, one after the other on a quiet machine, each in its own
// process. Each script prints its tables and ends with one JSON line; those lines are collected
// into docs/bench-results.json and charted into docs/benchmarks-ratios.svg.
//   node tools/bench/src/run-all.mjs [--only server,fanout] [--out docs/bench-results.json]
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ratioBars, renderRatioChart } from './chart.mjs';
import { cliArgs } from './bench-kit.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '../../..');
const args = cliArgs();
const out = args.get('--out') ?? join(root, 'docs/bench-results.json');
const only = args.get('--only')?.split(',');

/** name → [script, node flags, script args] */
const suites = {
  engine: ['engine.mjs', ['--expose-gc'], []],
  codec: ['codec.mjs', [], []],
  server: ['server.mjs', [], ['--seconds', '3']],
  client: ['client.mjs', [], []],
  discovery: ['discovery.mjs', [], []],
  lock: ['lock.mjs', [], []],
  cache: ['cache.mjs', ['--expose-gc'], []],
  fanout: ['fanout.mjs', [], ['1000']],
  startup: ['startup.mjs', [], []],
  // ZooServer and ZooKeeper with 1M znodes: memory, restart from snapshot, 1M-txn log recovery
  memory: ['memory.mjs', ['--max-old-space-size=8192'], []],
  // a client pipelining 5,000 getData of a 1 MB node and never reading: RSS growth, others served
  'slow-reader': ['slow-reader.mjs', [], ['--runs', '5']],
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
for (const [name, suite] of Object.entries(suites)) {
  if (only && !only.includes(name)) continue;
  try {
    results[name] = await run(name, suite);
  } catch (err) {
    failed.push(name);
    console.error(`${name}: ${err.message}`);
  }
}
results.meta = { date: new Date().toISOString().slice(0, 10), node: process.version, machine: `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB` };
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
