#!/usr/bin/env node
// Slow-reader benchmark (issue #12): one connection pipelines 5,000 getData of a 1 MB node and
// never reads; meanwhile a second client makes 100 round trips. Reported for ZooServer (its own
// process, built dist, default admission limits, bench-kit's snapCount) and Apache ZooKeeper 3.8 (java -Xms64m -Xmx2g,
// its output to a file): the server's RSS growth (peak, sampled every 50 ms) and the second
// client's round trips (all checked for err 0) and their wall time. Median and min-max of --runs.
//   npm run build && node tools/bench/src/slow-reader.mjs [--runs 5] [--gets 5000] [--only zoo|zookeeper]
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { encodeConnectRequest, encodeRequest, FrameDecoder, OpCode, OPEN_ACL_UNSAFE } from '@zoo/core';
import { cliArgs, percentile, spawnZooServer, startZooKeeperProcess } from './bench-kit.mjs';

const args = cliArgs();
const runs = Number(args.get('--runs') ?? 5);
const gets = Number(args.get('--gets') ?? 5000);
const ROUND_TRIPS = 100;
const STALL_MS = 3000;
const MiB = 1024 * 1024;

function rssOf(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// both servers as every benchmark runs them (bench-kit): each in a process of its own, the same
// snapCount, ZooKeeper's JVM flags and its output to a file
const startZoo = () => spawnZooServer();
const startZooKeeper = () => startZooKeeperProcess();

/** A minimal client: handshake, then send() resolves with each reply's err, in order. */
async function client(port) {
  const socket = connect(port, '127.0.0.1');
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const decoder = new FrameDecoder(64 * MiB);
  const waiting = [];
  let handshake;
  socket.on('data', (chunk) => {
    for (const frame of decoder.push(chunk)) {
      if (handshake) {
        const h = handshake;
        handshake = undefined;
        h();
        continue;
      }
      if (frame.readInt32BE(0) === -1) continue; // a notification
      waiting.shift()?.(frame.readInt32BE(12));
    }
  });
  socket.on('error', () => {});
  await new Promise((resolve) => {
    handshake = resolve;
    socket.write(encodeConnectRequest({ protocolVersion: 0, lastZxidSeen: 0n, timeOut: 30_000, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false }));
  });
  let xid = 1;
  return {
    send: (request) => new Promise((resolve) => (waiting.push(resolve), socket.write(encodeRequest(xid++, request)))),
    close: () => socket.destroy(),
  };
}

async function once(start) {
  const server = await start();
  try {
    const c = await client(server.port);
    const acl = [...OPEN_ACL_UNSAFE];
    for (const [path, data] of [['/big', Buffer.alloc(1_000_000, 1)], ['/small', Buffer.from('s')]]) {
      const err = await c.send({ op: OpCode.create, path, data, acl, flags: 0 });
      if (err !== 0) throw new Error(`create ${path}: err ${err}`);
    }
    await sleep(500);
    const before = rssOf(server.pid);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(server.pid))), 50);
    // the deaf client: everything in one write, then never a read
    const deaf = connect(server.port, '127.0.0.1');
    deaf.on('error', () => {});
    await new Promise((r) => deaf.once('connect', r));
    deaf.pause();
    const handshake = encodeConnectRequest({ protocolVersion: 0, lastZxidSeen: 0n, timeOut: 30_000, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false });
    deaf.write(Buffer.concat([handshake, ...Array.from({ length: gets }, (_, i) => encodeRequest(i + 1, { op: OpCode.getData, path: '/big', watch: false }))]));
    await sleep(200);
    const t0 = performance.now();
    let ok = 0;
    for (let i = 0; i < ROUND_TRIPS; i++) if ((await c.send({ op: OpCode.getData, path: '/small', watch: false })) === 0) ok++;
    const roundTripMs = performance.now() - t0;
    await sleep(STALL_MS);
    clearInterval(sampler);
    peak = Math.max(peak, rssOf(server.pid));
    deaf.destroy();
    c.close();
    return { growth: peak - before, ok, roundTripMs };
  } finally {
    await server.stop();
  }
}

const fmt = (xs, f) => `${f(percentile(xs, 50))} (${f(Math.min(...xs))}–${f(Math.max(...xs))})`;
const rows = [];
const json = {};
const only = args.get('--only'); // zoo | zookeeper
for (const start of [startZoo, startZooKeeper].filter((f) => !only || (only === 'zoo') === (f === startZoo))) {
  const results = [];
  for (let i = 0; i < runs; i++) {
    const r = await once(start);
    console.error(`${start === startZoo ? 'ZooServer' : 'ZooKeeper'} run ${i + 1}: RSS +${(r.growth / MiB).toFixed(1)} MiB, ${r.ok}/${ROUND_TRIPS} round trips in ${r.roundTripMs.toFixed(0)} ms`);
    results.push(r);
  }
  json[start === startZoo ? 'zoo' : 'zookeeper'] = {
    rssGrowthMiB: percentile(results.map((r) => r.growth / MiB), 50),
    roundTripsOk: Math.min(...results.map((r) => r.ok)),
    roundTripMs: percentile(results.map((r) => r.roundTripMs), 50),
  };
  rows.push([
    start === startZoo ? 'ZooServer (default limits)' : 'ZooKeeper 3.8 (-Xms64m -Xmx2g)',
    fmt(results.map((r) => r.growth / MiB), (x) => `${x.toFixed(1)}`),
    fmt(results.map((r) => r.ok), (x) => `${x}/${ROUND_TRIPS}`),
    fmt(results.map((r) => r.roundTripMs), (x) => `${x.toFixed(0)}`),
  ]);
}
console.log(`\n${gets.toLocaleString('en-US')} pipelined getData of a 1 MB node, never read; ${runs} runs, median (min–max)\n`);
console.log('| server | peak RSS growth, MiB | second client round trips | their wall time, ms |');
console.log('|---|---|---|---|');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
console.log(JSON.stringify({ gets, runs, ...json }));
