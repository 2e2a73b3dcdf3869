#!/usr/bin/env node
// How a commit's write + sync is made (issue #12): one 150-byte record appended and made durable
// in a loop for --seconds, the ways a transaction log can do it, in the data dir's filesystem.
//   - "write + datasync": await FileHandle.write, then await FileHandle.datasync — two trips through
//     libuv's thread pool, each waiting for the event loop (ZooServer before issue #12's fix);
//   - "O_DSYNC append": one write to a file opened O_DSYNC|O_APPEND — one trip, but every write
//     grows the file, so every sync also commits a new file size to the journal;
//   - "O_DSYNC in a preallocated hole": the file is first extended with ftruncate (no blocks
//     allocated, as ZooKeeper pads its logs) and written at positions — ZooServer's log now;
//   - "writeSync + fdatasyncSync": both on one thread, blocking it (ZooKeeper's SyncRequestProcessor
//     does this on a thread of its own; a Node server cannot block its only thread).
// Each way is measured --runs times, taking turns; p50/p99/p999 in µs, median (min–max) of runs.
//   node tools/bench/src/log-write.mjs [--dir /path/on/the/disk] [--seconds 2] [--runs 5 | --quick] [--bytes 150]
import { closeSync, constants, fdatasyncSync, ftruncateSync, mkdtempSync, openSync, rmSync, write, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliArgs, fmtSummary, percentile, runCount, summary } from './bench-kit.mjs';

const args = cliArgs();
const seconds = Number(args.get('--seconds') ?? (args.has('--quick') ? 1 : 2));
const runs = runCount(args);
const record = Buffer.alloc(Number(args.get('--bytes') ?? 150), 7);
const dir = mkdtempSync(join(args.get('--dir') ?? tmpdir(), 'zoo-log-write-'));
const { O_WRONLY, O_CREAT, O_TRUNC, O_APPEND, O_DSYNC } = constants;
const PREALLOC = 64 * 1024 * 1024;

/** Runs `once()` for `seconds`; latencies in µs. */
async function loop(once) {
  const lat = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const t = performance.now();
    await once();
    lat.push((performance.now() - t) * 1000);
  }
  return { n: lat.length, p50: percentile(lat, 50), p99: percentile(lat, 99), p999: percentile(lat, 99.9) };
}

const fdWrite = (fd, position) => new Promise((resolve, reject) => write(fd, record, 0, record.length, position, (err) => (err ? reject(err) : resolve())));

const ways = {
  'write + datasync': async (path) => {
    const fh = await open(path, 'w');
    try {
      return await loop(async () => {
        await new Promise((r) => setImmediate(r));
        await fh.write(record);
        await fh.datasync();
      });
    } finally {
      await fh.close();
    }
  },
  'O_DSYNC append': async (path) => {
    const fd = openSync(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_DSYNC);
    try {
      return await loop(async () => {
        await new Promise((r) => setImmediate(r));
        await fdWrite(fd, null);
      });
    } finally {
      closeSync(fd);
    }
  },
  'O_DSYNC in a preallocated hole': async (path) => {
    const fd = openSync(path, O_WRONLY | O_CREAT | O_TRUNC | O_DSYNC);
    let at = 0;
    let allocated = 0;
    try {
      return await loop(async () => {
        await new Promise((r) => setImmediate(r));
        if (at + record.length > allocated) ftruncateSync(fd, (allocated += PREALLOC));
        await fdWrite(fd, at);
        at += record.length;
      });
    } finally {
      closeSync(fd);
    }
  },
  'writeSync + fdatasyncSync': async (path) => {
    const fd = openSync(path, 'w');
    try {
      return await loop(async () => {
        await new Promise((r) => setImmediate(r));
        writeSync(fd, record);
        fdatasyncSync(fd);
      });
    } finally {
      closeSync(fd);
    }
  },
};

const perWay = Object.fromEntries(Object.keys(ways).map((k) => [k, []]));
try {
  for (let r = 0; r < runs; r++) {
    for (const [name, measure] of Object.entries(ways)) {
      const m = await measure(join(dir, `log-${r}`));
      rmSync(join(dir, `log-${r}`), { force: true });
      console.error(`${name.padEnd(32)} ${m.n} writes, p50 ${m.p50.toFixed(0)} µs, p99 ${m.p99.toFixed(0)} µs, p999 ${m.p999.toFixed(0)} µs`);
      perWay[name].push(m);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(`\n${record.length}-byte records made durable one at a time for ${seconds} s, in ${args.get('--dir') ?? tmpdir()}; median (min–max) of ${runs} runs\n`);
console.log('| how | p50 µs | p99 µs | p999 µs |\n|---|---|---|---|');
const results = {};
for (const [name, rows] of Object.entries(perWay)) {
  const s = Object.fromEntries(['p50', 'p99', 'p999'].map((k) => [k, summary(rows.map((x) => x[k]))]));
  results[name] = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, { median: v.median, min: v.min, max: v.max }]));
  console.log(`| ${name} | ${fmtSummary(s.p50)} | ${fmtSummary(s.p99)} | ${fmtSummary(s.p999)} |`);
}
console.log(JSON.stringify({ bench: 'log-write', runs, seconds, bytes: record.length, results }));
