#!/usr/bin/env node
// ZooServer vs Apache ZooKeeper 3.8 in one run (issues #9, #12): both get the same 1M znodes ×
// 100 B through the wire, in two shapes — `tree` (1,000 parents × 1,000 children) and `flat`
// (all 1M under one parent) — then for each server and shape
//   - memory with the tree loaded: RSS (what an operator provisions) and heap used after a full
//     GC (ZooKeeper: jcmd GC.run + GC.heap_info; ZooServer: gc() + heapUsed, and the data bytes
//     outside the heap);
//   - recovery of the 1M-transaction log: kill -9, restart, time from spawning the process
//     until it answers a request (ZooKeeper also writes its startup snapshot in that time);
//   - restart from a snapshot holding all 1M znodes: kill -9, restart, same timing (ZooKeeper
//     wrote that snapshot at its previous start; ZooServer's is written offline by its store,
//     the same code the server runs every snapCount txns), and RSS and heap after each restart.
// Both fsync before replying and have the same snapCount (10M here, so that the whole load is
// one log); ZooKeeper's JVM runs with ZK_JVM_FLAGS (bench-kit.mjs: -Xms64m -Xmx2g), its output
// goes to a file; ZooServer with Node's defaults. The load comes from our pipelined raw-protocol
// generator (`--loader wire`, 2,000 creates in flight) or from ZooKeeper's own Java client
// (`--loader java`: async creates, `--window` in flight, tools/bench/fixtures/ZnodeLoader.java).
//   npm run build && node --max-old-space-size=8192 tools/bench/src/memory.mjs [--shape tree|flat|both]
//        [--nodes 1000000] [--runs 5 | --quick] [--only zoo|zk] [--loader wire|java] [--window 2000]
//        [--snap-count 10000000]
import { execFileSync, fork } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeConnectResponse, encodeConnectRequest, encodeRequest, FrameDecoder, OpCode, OPEN_ACL_UNSAFE, ZooEngine } from '@zoo/core';
import { cliArgs, fmtSummary, runCount, spawnZooKeeper, summary, ZK_JVM_FLAGS } from './bench-kit.mjs';

/**
 * Both servers' snapCount here (--snap-count, passed on to the child modes): by default larger
 * than the load, so that it all stays in one log; ZooKeeper's default (100000) has both write
 * snapshots while loading, as a server left at its defaults does.
 */
const snapArg = process.argv.indexOf('--snap-count');
const MEMORY_SNAP_COUNT = snapArg > 0 ? Number(process.argv[snapArg + 1]) : 10_000_000;

// ---- child mode: a durable ZooServer that reports its memory over IPC --------------------------
if (process.argv[2] === '--zoo-server') {
  const { ZooServer } = await import('@zoo/server');
  const server = await ZooServer.start({ port: Number(process.argv[3]), dataDir: process.argv[4], maxClientCnxns: 0, snapCount: MEMORY_SNAP_COUNT });
  process.on('message', (m) => {
    if (m !== 'memory') return;
    globalThis.gc();
    globalThis.gc();
    const u = process.memoryUsage();
    process.send({ heapUsed: u.heapUsed, external: u.external, arrayBuffers: u.arrayBuffers, rss: u.rss, nodes: server.state.stats().nodeCount });
  });
  await new Promise(() => {});
}

if (process.argv[2] === '--zoo-snapshot') {
  // what the server does every snapCount txns, done offline on its data dir
  const { openTxnStore } = await import('@zoo/server');
  const store = await openTxnStore({ dataDir: process.argv[3], snapCount: MEMORY_SNAP_COUNT });
  const engine = new ZooEngine();
  await store.recover(engine);
  await store.writeSnapshot(engine);
  await store.close();
  process.exit(0);
}

const { compileJava, fourLetterWord, freePort, runJavaToEnd, zooKeeperAvailability } = await import('@zoo/zookeeper');
const args = cliArgs();
const N = Number(args.get('--nodes') ?? 1_000_000);
const RUNS = runCount(args);
const ONLY = args.get('--only');
// tree: N/1,000 parents × 1,000 children; flat: all N children under one parent
const SHAPES = (args.get('--shape') ?? 'both') === 'both' ? ['tree', 'flat'] : [args.get('--shape')];
for (const shape of SHAPES) if (shape !== 'tree' && shape !== 'flat') throw new Error(`--shape is tree, flat or both, not ${shape}`);
const parentsOf = (shape) => (shape === 'flat' ? 1 : Math.ceil(N / 1000));
const LOADER = args.get('--loader') ?? 'wire';
if (LOADER !== 'wire' && LOADER !== 'java') throw new Error(`--loader is wire or java, not ${LOADER}`);
const WINDOW = Number(args.get('--window') ?? 2000);
const VALUE = Buffer.alloc(100, 7);
const ACL = [...OPEN_ACL_UNSAFE];
const MiB = 2 ** 20;
const self = fileURLToPath(import.meta.url);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- the two servers ---------------------------------------------------------------------------

function zooServer(dir) {
  return {
    name: 'ZooServer',
    dir,
    start(port) {
      const child = fork(self, ['--zoo-server', String(port), dir, '--snap-count', String(MEMORY_SNAP_COUNT)], { execArgv: ['--expose-gc'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      return child;
    },
    async memory(child) {
      const m = await new Promise((resolve) => {
        child.once('message', resolve);
        child.send('memory');
      });
      return { heap: m.heapUsed, offHeap: m.arrayBuffers, rss: rssOf(child.pid), nodes: m.nodes };
    },
    async snapshot() {
      // in a process of its own, so that its garbage is not collected during the next restart
      const child = fork(self, ['--zoo-snapshot', dir, '--snap-count', String(MEMORY_SNAP_COUNT)], { execArgv: ['--max-old-space-size=8192'] });
      const code = await new Promise((r) => child.once('exit', r));
      if (code !== 0) throw new Error(`offline snapshot failed (${code})`);
    },
  };
}

function zooKeeper(dir) {
  let port = 0;
  return {
    name: 'ZooKeeper',
    dir,
    start(p) {
      port = p;
      return spawnZooKeeper(dir, p, {}, { snapCount: MEMORY_SNAP_COUNT });
    },
    async memory(child) {
      execFileSync('jcmd', [String(child.pid), 'GC.run'], { stdio: 'ignore' });
      const info = execFileSync('jcmd', [String(child.pid), 'GC.heap_info']).toString();
      const used = /total (\d+)K, used (\d+)K/.exec(info);
      if (!used) throw new Error(`cannot parse GC.heap_info:\n${info}`);
      const count = /zk_znode_count\s+(\d+)/.exec(await fourLetterWord(port, 'mntr'));
      return { heap: Number(used[2]) * 1024, offHeap: 0, rss: rssOf(child.pid), nodes: count ? Number(count[1]) : NaN };
    },
    // ZooKeeper writes a snapshot of the whole tree every time it starts
    async snapshot() {},
  };
}

function rssOf(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

async function kill(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

// ---- the wire --------------------------------------------------------------------------------

/** Connects and opens a session; resolves null if the server is not serving yet. */
function trySession(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const decoder = new FrameDecoder(16 * 1024 * 1024);
    let done = false;
    const finish = (v) => {
      if (done) return;
      done = true;
      socket.removeAllListeners('data');
      if (!v) socket.destroy();
      resolve(v);
    };
    socket.setNoDelay(true);
    socket.setTimeout(2000, () => finish(null));
    socket.on('error', () => finish(null));
    socket.on('close', () => finish(null));
    socket.on('connect', () => socket.write(encodeConnectRequest({ protocolVersion: 0, lastZxidSeen: 0n, timeOut: 30000, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false })));
    socket.on('data', (chunk) => {
      const frames = decoder.push(chunk);
      if (frames.length) {
        decodeConnectResponse(frames[0]);
        socket.setTimeout(0);
        finish({ socket, decoder });
      }
    });
  });
}

/** Sends one request and resolves with its error code (null if the connection drops). */
function request(session, req, xid = 1) {
  const { socket, decoder } = session;
  return new Promise((resolve) => {
    const onData = (chunk) => {
      for (const frame of decoder.push(chunk)) {
        if (frame.readInt32BE(0) !== xid) continue;
        socket.off('data', onData);
        resolve(frame.readInt32BE(12));
      }
    };
    socket.on('data', onData);
    socket.once('close', () => resolve(null));
    socket.setTimeout(5000, () => socket.destroy());
    socket.write(encodeRequest(xid, req));
  });
}

/** Time from spawning the server until it answers exists(/p0/n0) on a fresh session. */
async function startAndTime(server, port, empty = false) {
  const t = performance.now();
  const child = server.start(port);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${server.name} exited: ${child.logTail?.() ?? ''}`);
    if (performance.now() - t > 300_000) {
      await kill(child);
      throw new Error(`${server.name} not serving after 300 s: ${child.logTail?.() ?? ''}`);
    }
    const session = await trySession(port);
    if (session) {
      const err = await request(session, { op: OpCode.exists, path: '/p0/n0', watch: false });
      session.socket.destroy();
      if (err === 0 || (empty && err === -101)) return { child, ms: performance.now() - t };
      if (err !== null) throw new Error(`${server.name}: exists(/p0/n0) answered error ${err}`);
    }
    await sleep(5);
  }
}

/** Creates the parents and N children × 100 B through one pipelined raw-protocol connection. */
async function loadOverWire(port, PARENTS) {
  const session = await trySession(port);
  const { socket, decoder } = session;
  const total = PARENTS + N;
  let sent = 0;
  let acked = 0;
  const t = performance.now();
  const next = () => {
    const frames = [];
    while (sent < total && sent - acked < WINDOW) {
      const i = sent++;
      const path = i < PARENTS ? `/p${i}` : `/p${(i - PARENTS) % PARENTS}/n${i - PARENTS}`;
      frames.push(encodeRequest(i + 1, { op: OpCode.create, path, data: i < PARENTS ? null : VALUE, acl: ACL, flags: 0 }));
      // parents first, all acknowledged before any child
      if (sent === PARENTS) break;
    }
    if (frames.length) socket.write(Buffer.concat(frames));
  };
  await new Promise((resolve, reject) => {
    socket.on('data', (chunk) => {
      for (const frame of decoder.push(chunk)) {
        const err = frame.readInt32BE(12);
        if (err !== 0) reject(new Error(`create #${frame.readInt32BE(0)} failed with ${err}`));
        acked++;
      }
      if (acked === total) resolve();
      else if (acked >= PARENTS || sent < PARENTS) next();
    });
    next();
  });
  socket.destroy();
  return performance.now() - t;
}

let javaClasses;
/** The same load by ZooKeeper's Java client (fixtures/ZnodeLoader.java), WINDOW async creates in flight. */
async function loadByJava(port, parents) {
  javaClasses ??= compileJava([fileURLToPath(new URL('../fixtures/ZnodeLoader.java', import.meta.url))]);
  const out = await runJavaToEnd(javaClasses, 'ZnodeLoader', [`127.0.0.1:${port}`, String(N), String(parents), String(WINDOW)]);
  return Number(out.trim().split('\n').at(-1));
}

// ---- the run ---------------------------------------------------------------------------------

const fmtS = (ms) => `${(ms / 1000).toFixed(2)} s`;
const fmtM = (b) => `${(b / MiB).toFixed(0)} MiB`;

async function measure(server, shape) {
  const parents = parentsOf(shape);
  const out = { restartLog: [], restartSnap: [], restarted: [] };
  const port = await freePort();
  let { child } = await startAndTime(server, port, true);
  out.loadMs = await (LOADER === 'java' ? loadByJava(port, parents) : loadOverWire(port, parents));
  out.loaded = await server.memory(child);
  console.log(`${server.name} ${shape}: loaded ${N.toLocaleString('en-US')} znodes in ${fmtS(out.loadMs)}; heap ${fmtM(out.loaded.heap)} + ${fmtM(out.loaded.offHeap)} off-heap, RSS ${fmtM(out.loaded.rss)}, ${out.loaded.nodes} nodes`);
  await kill(child);
  // recovery of the log: ZooKeeper snapshots at each start, so each run starts from a copy of
  // the data dir as the load left it
  const copy = `${server.dir}.copy`;
  cpSync(server.dir, copy, { recursive: true });
  for (let r = 0; r < RUNS; r++) {
    if (r > 0) {
      rmSync(server.dir, { recursive: true, force: true });
      cpSync(copy, server.dir, { recursive: true });
    }
    const s = await startAndTime(server, port);
    out.restartLog.push(s.ms);
    console.log(`${server.name} ${shape}: log of ${N + parents} txns replayed, serving after ${fmtS(s.ms)}`);
    child = s.child;
    await kill(child);
  }
  rmSync(copy, { recursive: true, force: true });
  await server.snapshot();
  for (let r = 0; r < RUNS; r++) {
    const s = await startAndTime(server, port);
    out.restartSnap.push(s.ms);
    child = s.child;
    const m = await server.memory(child);
    out.restarted.push(m);
    console.log(`${server.name} ${shape}: restart from the snapshot, serving after ${fmtS(s.ms)}; heap ${fmtM(m.heap)} + ${fmtM(m.offHeap)} off-heap, RSS ${fmtM(m.rss)}`);
    await kill(child);
  }
  return out;
}

const loaderNote = LOADER === 'java' ? `ZooKeeper's Java client, ${WINDOW} async creates in flight` : `one pipelined raw-protocol connection, ${WINDOW} creates in flight`;
console.log(`1M-znode memory and restart: ${RUNS} restarts per figure; loaded by ${loaderNote}; ZooKeeper's JVM ${ZK_JVM_FLAGS.join(' ')}, output to a file; snapCount ${MEMORY_SNAP_COUNT} for both`);
const results = { nodes: N, runs: RUNS, loader: LOADER, window: WINDOW, zkJvmFlags: ZK_JVM_FLAGS };
for (const shape of SHAPES) {
  results[shape] = {};
  for (const [key, make] of [['zoo', zooServer], ['zk', zooKeeper]]) {
    if (ONLY && ONLY !== key) continue;
    if (key === 'zk' && !zooKeeperAvailability().available) {
      console.log(`ZooKeeper skipped: ${zooKeeperAvailability().reason}`);
      continue;
    }
    const dir = mkdtempSync(join(tmpdir(), `zoo-memory-${key}-`));
    try {
      results[shape][key] = await measure(make(dir), shape);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const { zoo, zk } = results[shape];
  if (!zoo || !zk) continue;
  const ratio = (a, b) => `${(a / b).toFixed(2)}×`;
  const med = (xs) => summary(xs).median;
  const K = N % 1_000_000 === 0 ? `${N / 1_000_000}M` : N.toLocaleString('en-US');
  const rss = (o) => o.restarted.map((m) => m.rss);
  const heap = (o) => o.restarted.map((m) => m.heap + m.offHeap);
  const sec = (v) => (v / 1000).toFixed(2);
  const mib = (v) => (v / MiB).toFixed(0);
  const rows = [
    [`restart, ${K} znodes in the snapshot (s)`, fmtSummary(summary(zoo.restartSnap), sec), fmtSummary(summary(zk.restartSnap), sec), ratio(med(zoo.restartSnap), med(zk.restartSnap))],
    [`recovery of a ${K}-txn log (s)`, fmtSummary(summary(zoo.restartLog), sec), fmtSummary(summary(zk.restartLog), sec), ratio(med(zoo.restartLog), med(zk.restartLog))],
    [`load ${K} creates through the wire (s)`, sec(zoo.loadMs), sec(zk.loadMs), ratio(zoo.loadMs, zk.loadMs)],
    ['RSS, loaded (MiB)', mib(zoo.loaded.rss), mib(zk.loaded.rss), ratio(zoo.loaded.rss, zk.loaded.rss)],
    ['heap after full GC (+ off-heap data), loaded (MiB)', `${mib(zoo.loaded.heap)} + ${mib(zoo.loaded.offHeap)}`, mib(zk.loaded.heap), ratio(zoo.loaded.heap + zoo.loaded.offHeap, zk.loaded.heap)],
    ['RSS, after restart (MiB)', fmtSummary(summary(rss(zoo)), mib), fmtSummary(summary(rss(zk)), mib), ratio(med(rss(zoo)), med(rss(zk)))],
    ['heap (+ off-heap), after restart (MiB)', fmtSummary(summary(heap(zoo)), mib), fmtSummary(summary(heap(zk)), mib), ratio(med(heap(zoo)), med(heap(zk)))],
  ];
  console.log(`\n| ${shape === 'flat' ? `${K} znodes under one parent` : `${K} znodes, ${parentsOf(shape).toLocaleString('en-US')} parents × 1,000`} | ZooServer | ZooKeeper 3.8 | ZooServer / ZooKeeper |\n|---|---|---|---|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  console.log(`(median (min–max) of ${RUNS} restarts; ratios of the medians; one load each)`);
}
// the last line is for `npm run bench` (tools/bench/src/run-all.mjs) and the chart
console.log(JSON.stringify(results));
