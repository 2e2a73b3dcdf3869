#!/usr/bin/env node
// Soak (issue #9): N concurrent sessions (default 10,000) against a durable ZooServer running in
// its own process (--expose-gc), each session holding an ephemeral and a data watch on a shared
// node, kept alive by pings for a bounded hold, with one fan-out to every watcher (re-armed).
// Then the client processes are SIGKILLed — no closeSession — and every session must expire:
// sessions, connections, ephemerals and watches back to 0, the heap back near where it started.
// Prints the server's memory per session and the expiry time.
//
//   node tools/bench/src/soak.mjs [sessions=10000] [holdSeconds=20]
//
// Needs ~sessions+100 file descriptors in the server process and sessions/clientProcesses in each
// client process (`ulimit -n`); the clients are spread over processes of at most 5,000 sessions.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateMode, decodeConnectResponse, encodeConnectRequest, encodeRequest, FrameDecoder, OpCode, OPEN_ACL_UNSAFE } from '@zoo/core';

const SELF = fileURLToPath(import.meta.url);
const TICK = 2000; // sessions may ask for 4 s .. 40 s
const SESSION_TIMEOUT = 6000;
const PER_PROCESS = 5000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- role: server ---------------------------------------------------------------------------

async function serverMain(dataDir) {
  const { ZooServer } = await import('@zoo/server');
  const server = await ZooServer.start({ port: 0, dataDir, tickTime: TICK, maxClientCnxns: 0, snapCount: 1_000_000 });
  await server.create('/soak');
  await server.create('/soak/config', 'v0');
  await server.create('/soak/members');
  const measure = async () => {
    for (let i = 0; i < 3; i++) {
      globalThis.gc();
      await sleep(50);
    }
    const m = process.memoryUsage();
    return { heapUsed: m.heapUsed, rss: m.rss, external: m.external, arrayBuffers: m.arrayBuffers, stats: server.state.stats(), connections: server.connectionCount };
  };
  process.on('message', async (msg) => {
    if (msg.cmd === 'measure') process.send({ id: msg.id, result: await measure() });
    else if (msg.cmd === 'stats') process.send({ id: msg.id, result: { stats: server.state.stats(), connections: server.connectionCount } });
    else if (msg.cmd === 'setConfig') {
      await server.setData('/soak/config', msg.value);
      process.send({ id: msg.id, result: true });
    } else if (msg.cmd === 'stop') {
      await server.close();
      process.send({ id: msg.id, result: true });
      process.exit(0);
    }
  });
  process.send({ ready: true, port: server.port });
}

// ---- role: clients --------------------------------------------------------------------------

async function clientsMain(port, first, count) {
  const acl = [...OPEN_ACL_UNSAFE];
  const sessions = [];
  let notified = 0;
  let failures = 0;
  const open = (i) =>
    new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      const decoder = new FrameDecoder(1 << 20);
      const s = { socket, replies: 0, xid: 1 };
      let handshake = true;
      socket.once('error', reject);
      socket.on('data', (chunk) => {
        for (const frame of decoder.push(chunk)) {
          if (handshake) {
            handshake = false;
            if (decodeConnectResponse(frame).timeOut <= 0) failures++;
            socket.write(
              Buffer.concat([
                encodeRequest(s.xid++, { op: OpCode.create, path: `/soak/members/m-${i}`, data: Buffer.from(String(i)), acl, flags: CreateMode.EPHEMERAL }),
                encodeRequest(s.xid++, { op: OpCode.getData, path: '/soak/config', watch: true }),
              ]),
            );
            continue;
          }
          const xid = frame.readInt32BE(0);
          if (xid === -2) continue;
          if (xid === -1) {
            // a NodeDataChanged: count it and re-arm the one-shot watch
            notified++;
            socket.write(encodeRequest(s.xid++, { op: OpCode.getData, path: '/soak/config', watch: true }));
            continue;
          }
          if (frame.readInt32BE(12) !== 0) failures++;
          if (++s.replies === 2) resolve(s);
        }
      });
      socket.on('close', () => {});
      socket.write(encodeConnectRequest({ protocolVersion: 0, lastZxidSeen: 0n, timeOut: SESSION_TIMEOUT, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false }));
    });
  const t = performance.now();
  for (let i = 0; i < count; i += 250) {
    sessions.push(...(await Promise.all(Array.from({ length: Math.min(250, count - i) }, (_, j) => open(first + i + j)))));
  }
  const openMs = performance.now() - t;
  // pings: every session once per third of its timeout, spread over that interval
  const ping = encodeRequest(-2, { op: OpCode.ping });
  let next = 0;
  const slice = Math.ceil(sessions.length / 20);
  setInterval(() => {
    for (let k = 0; k < slice; k++) sessions[(next + k) % sessions.length].socket.write(ping);
    next = (next + slice) % sessions.length;
  }, SESSION_TIMEOUT / 3 / 20);
  process.on('message', (msg) => {
    if (msg.cmd === 'count') process.send({ id: msg.id, result: { notified, failures, open: sessions.filter((s) => !s.socket.destroyed).length } });
  });
  process.send({ ready: true, openMs, failures });
}

// ---- role: driver ---------------------------------------------------------------------------

function rpc(child) {
  let id = 0;
  const waiting = new Map();
  child.on('message', (msg) => {
    if (msg.id !== undefined) {
      waiting.get(msg.id)?.(msg.result);
      waiting.delete(msg.id);
    }
  });
  return (cmd, extra = {}) =>
    new Promise((resolve) => {
      waiting.set(++id, resolve);
      child.send({ cmd, id, ...extra });
    });
}

const readyOf = (child) =>
  new Promise((resolve, reject) => {
    child.on('message', (msg) => msg.ready && resolve(msg));
    child.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
  });

async function until(check, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function driverMain(total, holdSeconds) {
  const mb = (b) => `${(b / 1048576).toFixed(1)} MB`;
  const checks = [];
  const check = (what, ok, detail) => checks.push({ what, ok, detail });
  const dir = mkdtempSync(join(tmpdir(), 'zoo-soak-'));
  const server = fork(SELF, ['server', dir], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const watchdog = setTimeout(() => {
    console.error('soak: watchdog fired (10 min), stopping');
    server.kill('SIGKILL');
    process.exit(1);
  }, 600_000);
  watchdog.unref();
  const clients = [];
  try {
    const { port } = await readyOf(server);
    const call = rpc(server);
    const drained = () =>
      until(
        async () => {
          const s = await call('stats');
          return s.connections === 0 && s.stats.sessionCount === 0 && s.stats.ephemeralsCount === 0 && s.stats.watchCount === 0 ? s : undefined;
        },
        SESSION_TIMEOUT + 60_000,
        'every session to expire',
      );
    // warm-up: a small round through the same paths (setup, pings, expiry), so the baseline
    // already holds the compiled code and the server's one-off allocations
    const warm = fork(SELF, ['clients', String(port), String(total), String(Math.min(500, total))], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await readyOf(warm);
    await new Promise((r) => (warm.once('exit', r), warm.kill('SIGKILL')));
    await drained();
    const base = await call('measure');

    const t0 = performance.now();
    const processes = Math.ceil(total / PER_PROCESS);
    for (let p = 0; p < processes; p++) {
      const count = Math.min(PER_PROCESS, total - p * PER_PROCESS);
      clients.push(fork(SELF, ['clients', String(port), String(p * PER_PROCESS), String(count)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    }
    const readies = await Promise.all(clients.map(readyOf));
    const openMs = performance.now() - t0;
    const clientCalls = clients.map(rpc);
    const loaded = await call('measure');
    check('all sessions set up without errors', readies.every((r) => r.failures === 0) && loaded.stats.sessionCount === total, `${loaded.stats.sessionCount} sessions`);
    check('ephemerals and watches in place', loaded.stats.ephemeralsCount === total && loaded.stats.watchCount === total, `${loaded.stats.ephemeralsCount} ephemerals, ${loaded.stats.watchCount} watches`);

    // hold; halfway, one change fans out to every watcher
    const holdEnd = Date.now() + holdSeconds * 1000;
    await sleep((holdSeconds * 1000) / 2);
    const tf = performance.now();
    await call('setConfig', { value: 'v1' });
    const notified = async () => (await Promise.all(clientCalls.map((c) => c('count')))).reduce((n, r) => n + r.notified, 0);
    await until(async () => (await notified()) >= total, 60_000, 'every watcher to be notified');
    const fanoutMs = performance.now() - tf;
    await sleep(Math.max(0, holdEnd - Date.now()));
    const held = await call('measure');
    const counts = await Promise.all(clientCalls.map((c) => c('count')));
    check('no error reply and no client connection lost', counts.every((c) => c.failures === 0) && counts.reduce((n, c) => n + c.open, 0) === total, `${counts.reduce((n, c) => n + c.failures, 0)} errors`);
    check('no session lost while held (pings)', held.stats.sessionCount === total && held.connections === total, `${held.stats.sessionCount} sessions, ${held.connections} connections`);
    check('watches re-armed after the fan-out', held.stats.watchCount === total, `${held.stats.watchCount} watches`);

    // clients vanish without closeSession
    const tk = performance.now();
    await Promise.all(clients.map((c) => new Promise((r) => (c.once('exit', r), c.kill('SIGKILL')))));
    const gone = await drained();
    const expiryMs = performance.now() - tk;
    const after = await call('measure');
    check('all sessions expired, ephemerals and watches gone', gone.stats.nodeCount === base.stats.nodeCount, `${after.stats.nodeCount} znodes (${base.stats.nodeCount} before)`);
    const grew = loaded.heapUsed - base.heapUsed;
    const kept = after.heapUsed - base.heapUsed;
    check('heap back near its starting point', kept < grew * 0.1, `${mb(kept)} of ${mb(grew)} kept`);

    await call('stop');
    const row = (label, m) => `| ${label} | ${m.stats.sessionCount} | ${m.connections} | ${m.stats.ephemeralsCount} | ${m.stats.watchCount} | ${mb(m.heapUsed)} | ${mb(m.rss)} |`;
    console.log(`\nSoak: ${total} sessions, session timeout ${SESSION_TIMEOUT} ms, hold ${holdSeconds} s, server ${process.version} (durable, --expose-gc)\n`);
    console.log('| phase | sessions | connections | ephemerals | watches | heapUsed | RSS |\n|---|---|---|---|---|---|---|');
    console.log(row('before', base));
    console.log(row(`${total} sessions set up`, loaded));
    console.log(row(`after ${holdSeconds} s held, one fan-out`, held));
    console.log(row('clients killed, all expired', after));
    console.log(`\n| measure | value |\n|---|---|`);
    console.log(`| server heap per session (ephemeral + data watch + connection) | ${((loaded.heapUsed - base.heapUsed) / total / 1024).toFixed(2)} KiB |`);
    console.log(`| server RSS per session | ${((loaded.rss - base.rss) / total / 1024).toFixed(2)} KiB |`);
    console.log(`| server external+arrayBuffers per session | ${((loaded.external - base.external) / total / 1024).toFixed(2)} KiB |`);
    console.log(`| open ${total} sessions (${clients.length} client processes, 250 at a time each) | ${(openMs / 1000).toFixed(1)} s |`);
    console.log(`| fan-out of one setData to ${total} watchers | ${fanoutMs.toFixed(0)} ms |`);
    console.log(`| clients killed → last session expired, ephemerals and watches gone | ${(expiryMs / 1000).toFixed(1)} s |`);
    console.log(`| heap kept after expiry | ${mb(after.heapUsed - base.heapUsed)} (RSS ${mb(after.rss - base.rss)} above start) |`);
    console.log('\n| check | result |\n|---|---|');
    for (const c of checks) console.log(`| ${c.what} | ${c.ok ? 'ok' : 'FAILED'}: ${c.detail} |`);
  } finally {
    for (const c of clients) c.kill('SIGKILL');
    server.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
  if (checks.some((c) => !c.ok)) process.exit(1);
  process.exit(0);
}

const [role, ...args] = process.argv.slice(2);
if (role === 'server') await serverMain(args[0]);
else if (role === 'clients') await clientsMain(Number(args[0]), Number(args[1]), Number(args[2]));
else await driverMain(Number(role ?? 10_000), Number(args[0] ?? 20));
