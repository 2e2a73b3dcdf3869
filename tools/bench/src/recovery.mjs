#!/usr/bin/env node
// Restart time (issue #9): a data dir holding 1M znodes × 100 B in a snapshot, and one holding
// the same as 1M logged transactions; time from ZooServer.start() to serving, and the heap, each
// restart in a fresh process (--runs of them). tools/bench/src/memory.mjs compares with ZooKeeper.
// Three data dirs: `snapshot` (a snapshot, then one txn in a new log), `covered` (a snapshot
// written at the end of the log it covers, with no txn after: what memory.mjs restarts from),
// `log` (the log alone). `--only` picks some (comma-separated); `--keep DIR` keeps the data dirs
// under DIR and reuses them on the next run (for profiling: ZOO_BENCH_CPU_PROF=dir).
//   npm run build && node --expose-gc tools/bench/src/recovery.mjs [--nodes 1000000] [--runs 5] [--shape tree|flat]
//        [--only snapshot,covered,log] [--keep DIR]
import { fork } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpCode, OPEN_ACL_UNSAFE, ZooEngine } from '@zoo/core';
import { openTxnStore, ZooServer } from '@zoo/server';
import { cliArgs, runCount } from './bench-kit.mjs';

const args = cliArgs();
const N = Number(args.get('--nodes') ?? 1_000_000);
const RUNS = runCount(args);
// tree: N/1,000 parents × 1,000 children; flat: all N under one parent
const SHAPE = args.get('--shape') ?? 'tree';
if (SHAPE !== 'tree' && SHAPE !== 'flat') throw new Error(`--shape is tree or flat, not ${SHAPE}`);
const gc = globalThis.gc ?? (() => {});
const KINDS = { snapshot: 'snapshot', covered: 'covered', log: 'log only' };
const ONLY = (args.get('--only') ?? 'snapshot,log').split(',');
for (const kind of ONLY) if (!(kind in KINDS)) throw new Error(`--only takes ${Object.keys(KINDS).join(', ')}, not ${kind}`);
const KEEP = args.get('--keep');

if (args.has('--serve')) {
  // child: one restart
  gc();
  const before = process.memoryUsage().heapUsed;
  // (performance.now() counts from the process's start: this is Node's start-up and the imports)
  const t = performance.now();
  const server = await ZooServer.start({ port: 0, dataDir: args.get('--serve') });
  const ms = performance.now() - t;
  // CPU time of the process until serving (Node's own start included): steadier than the wall
  // clock on a machine shared with other work
  const cpu = process.cpuUsage();
  const cpuMs = (cpu.user + cpu.system) / 1000;
  gc();
  gc();
  const m = process.memoryUsage();
  process.send({ ms, startMs: t, cpuMs, rss: process.memoryUsage().rss, heap: m.heapUsed - before, data: m.arrayBuffers, nodes: server.state.stats().nodeCount });
  await server.close();
  process.exit(0);
}

async function prepare(kind) {
  let dir;
  if (KEEP) {
    dir = join(KEEP, `${SHAPE}-${N}-${kind}`);
    if (existsSync(join(dir, 'ready'))) return dir;
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  } else dir = mkdtempSync(join(tmpdir(), 'zoo-recovery-'));
  const store = await openTxnStore({ dataDir: dir, snapCount: 10_000_000 });
  const engine = new ZooEngine();
  await store.recover(engine);
  const ctx = { watcher: { id: 1 }, sessionId: 0n, authInfo: [{ scheme: 'super', id: '' }] };
  const acl = [...OPEN_ACL_UNSAFE];
  const value = Buffer.alloc(100, 7);
  const parents = SHAPE === 'flat' ? 1 : Math.ceil(N / 1000);
  for (let p = 0; p < parents; p++) store.append(engine.process(ctx, 0, { op: OpCode.create, path: `/p${p}`, data: null, acl, flags: 0 }).txn);
  for (let i = 0; i < N; i++) {
    store.append(engine.process(ctx, 0, { op: OpCode.create, path: `/p${i % parents}/n${i}`, data: value, acl, flags: 0 }).txn);
    if (i % 50_000 === 0) await store.sync();
  }
  await store.sync();
  if (kind !== 'log') {
    await store.writeSnapshot(engine);
    if (kind === 'snapshot') {
      // the server keeps writing after a snapshot: those txns go to a fresh log file
      store.append(engine.process(ctx, 0, { op: OpCode.create, path: '/after-snapshot', data: null, acl, flags: 0 }).txn);
      await store.sync();
    }
  }
  await store.close();
  if (KEEP) mkdirSync(join(dir, 'ready'));
  return dir;
}

const restart = (dir) =>
  new Promise((resolve, reject) => {
    const child = fork(new URL(import.meta.url).pathname, ['--serve', dir], { execArgv: ['--expose-gc', '--max-old-space-size=8192', ...(process.env.ZOO_BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.ZOO_BENCH_CPU_PROF}`] : [])] });
    child.once('message', resolve);
    child.once('exit', (code) => code !== 0 && reject(new Error(`restart exited with ${code}`)));
  });

for (const kind of ONLY) {
  const dir = await prepare(kind);
  gc();
  const times = [];
  const cpus = [];
  const starts = [];
  let last;
  for (let r = 0; r < RUNS; r++) {
    last = await restart(dir);
    times.push(last.ms);
    cpus.push(last.cpuMs);
    starts.push(last.startMs);
  }
  const s = (ms) => (ms / 1000).toFixed(2);
  console.log(
    `${SHAPE} ${KINDS[kind]}: ${N.toLocaleString('en-US')} znodes serving after ${s(Math.min(...times))}–${s(Math.max(...times))} s (${times.map(s).join(', ')}), CPU ${cpus.map(s).join(', ')} s (start-up and imports before: ${starts.map(s).join(', ')} s), RSS ${(last.rss / 2 ** 20).toFixed(0)} MiB, heap ${(last.heap / 2 ** 20).toFixed(0)} MiB + ${(last.data / 2 ** 20).toFixed(0)} MiB of data, nodes ${last.nodes}`,
  );
  if (!KEEP) rmSync(dir, { recursive: true, force: true });
}
