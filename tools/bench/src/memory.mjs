#!/usr/bin/env node
// ZooServer vs Apache ZooKeeper 3.8 in one run (issue #9): both get the same 1M znodes × 100 B
// (1,000 parents) through the wire, then for each server
//   - memory with the tree loaded: heap used after a full GC (ZooKeeper: jcmd GC.run +
//     GC.heap_info; ZooServer: gc() + heapUsed, and the data bytes outside the heap) and RSS;
//   - recovery of the 1M-transaction log: kill -9, restart, time from spawning the process
//     until it answers a request (ZooKeeper also writes its startup snapshot in that time);
//   - restart from a snapshot holding all 1M znodes: kill -9, restart, same timing (ZooKeeper
//     wrote that snapshot at its previous start; ZooServer's is written offline by its store,
//     the same code the server runs every snapCount txns);
//   - memory again after that restart.
// Both fsync before replying. ZooKeeper runs with the JVM's defaults (as Debian's zkServer.sh
// starts it: G1, max heap 1/4 of RAM); ZooServer with Node's defaults.
//   npm run build && node --max-old-space-size=8192 tools/bench/src/memory.mjs [--nodes 1000000] [--runs 3] [--only zoo|zk]
import { execFileSync, fork, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeConnectResponse, encodeConnectRequest, encodeRequest, FrameDecoder, OpCode, OPEN_ACL_UNSAFE, ZooEngine } from '@zoo/core';
import { cliArgs } from './bench-kit.mjs';

// ---- child mode: a durable ZooServer that reports its memory over IPC --------------------------
if (process.argv[2] === '--zoo-server') {
  const { ZooServer } = await import('@zoo/server');
  const server = await ZooServer.start({ port: Number(process.argv[3]), dataDir: process.argv[4], maxClientCnxns: 0, snapCount: 10_000_000 });
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
  const store = await openTxnStore({ dataDir: process.argv[3], snapCount: 10_000_000 });
  const engine = new ZooEngine();
  await store.recover(engine);
  await store.writeSnapshot(engine);
  await store.close();
  process.exit(0);
}

const { fourLetterWord, freePort, zookeeperClasspath, zooKeeperAvailability } = await import('@zoo/zookeeper');
const args = cliArgs();
const N = Number(args.get('--nodes') ?? 1_000_000);
const RUNS = Number(args.get('--runs') ?? 3);
const ONLY = args.get('--only');
const PARENTS = Math.ceil(N / 1000);
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
      const child = fork(self, ['--zoo-server', String(port), dir], { execArgv: ['--expose-gc'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
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
      const child = fork(self, ['--zoo-snapshot', dir], { execArgv: ['--max-old-space-size=8192'] });
      const code = await new Promise((r) => child.once('exit', r));
      if (code !== 0) throw new Error(`offline snapshot failed (${code})`);
    },
  };
}

function zooKeeper(dir) {
  const cfg = join(dir, 'zoo.cfg');
  let port = 0;
  return {
    name: 'ZooKeeper',
    dir,
    start(p) {
      port = p;
      const lines = { tickTime: 2000, dataDir: join(dir, 'data'), clientPort: p, clientPortAddress: '127.0.0.1', maxClientCnxns: 0, 'admin.enableServer': 'false', '4lw.commands.whitelist': '*' };
      writeFileSync(cfg, Object.entries(lines).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
      const child = spawn('java', ['-Dzookeeper.snapCount=10000000', '-cp', zookeeperClasspath(), 'org.apache.zookeeper.server.ZooKeeperServerMain', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
      child.log = '';
      child.stderr.on('data', (d) => (child.log = (child.log + d).slice(-5000)));
      return child;
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
    if (child.exitCode !== null) throw new Error(`${server.name} exited: ${child.log ?? ''}`);
    if (performance.now() - t > 300_000) {
      await kill(child);
      throw new Error(`${server.name} not serving after 300 s: ${child.log ?? ''}`);
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

/** Creates the parents and N children × 100 B through one pipelined connection. */
async function load(port) {
  const session = await trySession(port);
  const { socket, decoder } = session;
  const total = PARENTS + N;
  const WINDOW = 2000;
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

// ---- the run ---------------------------------------------------------------------------------

const fmtS = (ms) => `${(ms / 1000).toFixed(2)} s`;
const fmtM = (b) => `${(b / MiB).toFixed(0)} MiB`;
const range = (xs) => (xs.length > 1 ? `${(Math.min(...xs) / 1000).toFixed(2)}–${fmtS(Math.max(...xs))}` : fmtS(xs[0]));

async function measure(server) {
  const out = { restartLog: [], restartSnap: [] };
  const port = await freePort();
  let { child } = await startAndTime(server, port, true);
  out.loadMs = await load(port);
  out.loaded = await server.memory(child);
  console.log(`${server.name}: loaded ${N.toLocaleString('en-US')} znodes in ${fmtS(out.loadMs)}; heap ${fmtM(out.loaded.heap)} + ${fmtM(out.loaded.offHeap)} off-heap, RSS ${fmtM(out.loaded.rss)}, ${out.loaded.nodes} nodes`);
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
    console.log(`${server.name}: log of ${N + PARENTS} txns replayed, serving after ${fmtS(s.ms)}`);
    child = s.child;
    await kill(child);
  }
  rmSync(copy, { recursive: true, force: true });
  await server.snapshot();
  for (let r = 0; r < RUNS; r++) {
    const s = await startAndTime(server, port);
    out.restartSnap.push(s.ms);
    child = s.child;
    if (r === RUNS - 1) out.restarted = await server.memory(child);
    console.log(`${server.name}: restart from the snapshot, serving after ${fmtS(s.ms)}`);
    await kill(child);
  }
  console.log(`${server.name}: after restart heap ${fmtM(out.restarted.heap)} + ${fmtM(out.restarted.offHeap)} off-heap, RSS ${fmtM(out.restarted.rss)}, ${out.restarted.nodes} nodes`);
  return out;
}

const results = {};
for (const [key, make] of [['zoo', zooServer], ['zk', zooKeeper]]) {
  if (ONLY && ONLY !== key) continue;
  if (key === 'zk' && !zooKeeperAvailability().available) {
    console.log(`ZooKeeper skipped: ${zooKeeperAvailability().reason}`);
    continue;
  }
  const dir = mkdtempSync(join(tmpdir(), `zoo-memory-${key}-`));
  try {
    results[key] = await measure(make(dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const { zoo, zk } = results;
if (zoo && zk) {
  const ratio = (a, b) => `${(a / b).toFixed(2)}×`;
  const min = (xs) => Math.min(...xs);
  const K = N % 1_000_000 === 0 ? `${N / 1_000_000}M` : N.toLocaleString('en-US');
  const rows = [
    [`restart, ${K} znodes in the snapshot`, range(zoo.restartSnap), range(zk.restartSnap), ratio(min(zoo.restartSnap), min(zk.restartSnap))],
    [`recovery of a ${K}-txn log`, range(zoo.restartLog), range(zk.restartLog), ratio(min(zoo.restartLog), min(zk.restartLog))],
    [`load ${K} creates through the wire`, fmtS(zoo.loadMs), fmtS(zk.loadMs), ratio(zoo.loadMs, zk.loadMs)],
    ['heap after full GC, loaded', fmtM(zoo.loaded.heap), fmtM(zk.loaded.heap), ratio(zoo.loaded.heap, zk.loaded.heap)],
    ['heap + off-heap data, loaded', fmtM(zoo.loaded.heap + zoo.loaded.offHeap), fmtM(zk.loaded.heap), ratio(zoo.loaded.heap + zoo.loaded.offHeap, zk.loaded.heap)],
    ['RSS, loaded', fmtM(zoo.loaded.rss), fmtM(zk.loaded.rss), ratio(zoo.loaded.rss, zk.loaded.rss)],
    ['heap + off-heap, after restart', fmtM(zoo.restarted.heap + zoo.restarted.offHeap), fmtM(zk.restarted.heap), ratio(zoo.restarted.heap + zoo.restarted.offHeap, zk.restarted.heap)],
    ['RSS, after restart', fmtM(zoo.restarted.rss), fmtM(zk.restarted.rss), ratio(zoo.restarted.rss, zk.restarted.rss)],
  ];
  console.log(`\n| ${N.toLocaleString('en-US')} znodes × 100 B | ZooServer | ZooKeeper 3.8 | ZooServer / ZooKeeper |\n|---|---|---|---|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  console.log(`(times: range of ${RUNS} restarts each; ratios of the best)`);
}
// the last line is for `npm run bench` (tools/bench/src/run-all.mjs) and the chart
console.log(JSON.stringify(results));
