#!/usr/bin/env node
// Session expiry (issue #12): how long after a client dies its ephemerals go. Clients with a
// 10 s session each create an ephemeral and drop their socket at once (no closeSession), started
// 1.1 s apart so their deaths fall at different points of a tick; a watcher times the
// NodeDeleted. ZooServer (its own process, built dist) and Apache ZooKeeper 3.8, both tickTime
// 2000. Prints min / mean / max of death -> delete per server and ends with a JSON line.
//   npm run build && node tools/bench/src/session-expiry.mjs [--clients 10] [--timeout 10000]
//     [--zoo-module <path to another build's dist/index.js>, to compare builds]
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { encodeConnectRequest, encodeRequest, FrameDecoder, OpCode, OPEN_ACL_UNSAFE } from '@zoo/core';
import { fourLetterWord, freePort } from '@zoo/zookeeper';
import { cliArgs, startZooKeeperProcess } from './bench-kit.mjs';

const args = cliArgs();
const clients = Number(args.get('--clients') ?? 10);
const timeout = Number(args.get('--timeout') ?? 10_000);
const TICK = 2000;
const zooModule = args.get('--zoo-module') ?? '@zoo/server';
const here = fileURLToPath(new URL('.', import.meta.url));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function serving(port, child) {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    if (/Mode: /.test(await fourLetterWord(port, 'srvr').catch(() => ''))) return;
    await sleep(100);
  }
  throw new Error(`nothing serving on ${port}`);
}

async function startZoo() {
  const port = await freePort();
  const code = `import(${JSON.stringify(zooModule)}).then(({ ZooServer }) => ZooServer.start({ port: ${port}, tickTime: ${TICK}, maxClientCnxns: 0 }));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: here, stdio: ['ignore', 'ignore', 'inherit'] });
  await serving(port, child);
  const stop = () => new Promise((r) => (child.exitCode !== null ? r() : (child.once('exit', r), child.kill('SIGKILL'))));
  return { port, stop };
}

// ZooKeeper as every benchmark runs it (bench-kit), at this benchmark's tickTime
const startZooKeeper = () => startZooKeeperProcess({ tickTime: TICK });

/** Handshake with `timeOut`; send() resolves with each reply's err; onEvent sees notifications' paths. */
async function client(port, timeOut, onEvent = () => {}) {
  const socket = connect(port, '127.0.0.1');
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.on('error', () => {});
  const decoder = new FrameDecoder(16 * 1024 * 1024);
  const waiting = [];
  let handshake;
  socket.on('data', (chunk) => {
    for (const frame of decoder.push(chunk)) {
      if (handshake) {
        const h = handshake;
        handshake = undefined;
        h(frame.readInt32BE(4));
      } else if (frame.readInt32BE(0) === -1) {
        const type = frame.readInt32BE(16);
        const length = frame.readInt32BE(24);
        onEvent(type, frame.toString('utf8', 28, 28 + length));
      } else waiting.shift()?.(frame.readInt32BE(12));
    }
  });
  const negotiated = await new Promise((resolve) => {
    handshake = resolve;
    socket.write(encodeConnectRequest({ protocolVersion: 0, lastZxidSeen: 0n, timeOut, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false }));
  });
  if (negotiated !== timeOut) throw new Error(`negotiated ${negotiated} ms, not ${timeOut}`);
  let xid = 1;
  return {
    send: (request) => new Promise((resolve) => (waiting.push(resolve), socket.write(encodeRequest(xid++, request)))),
    drop: () => socket.destroy(),
  };
}

async function measure(port) {
  const deleted = new Map();
  const watcher = await client(port, 30_000, (type, path) => type === 2 && deleted.set(path, Date.now()));
  const delays = await Promise.all(
    Array.from({ length: clients }, async (_, i) => {
      await sleep(i * 1100);
      const path = `/expiry-${i}`;
      const dying = await client(port, timeout);
      const err = await dying.send({ op: OpCode.create, path, data: null, acl: [...OPEN_ACL_UNSAFE], flags: 1 });
      if (err !== 0) throw new Error(`create ${path}: err ${err}`);
      dying.drop();
      const died = Date.now();
      if ((await watcher.send({ op: OpCode.exists, path, watch: true })) !== 0) throw new Error(`exists ${path}`);
      while (!deleted.has(path)) await sleep(5);
      return deleted.get(path) - died;
    }),
  );
  watcher.drop();
  return delays;
}

const out = {};
const only = args.get('--only'); // zoo | zookeeper
for (const [name, start] of [['zoo', startZoo], ['zookeeper', startZooKeeper]].filter(([n]) => !only || n === only)) {
  const server = await start();
  try {
    const delays = await measure(server.port);
    const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
    out[name] = { minMs: Math.min(...delays), meanMs: Math.round(mean), maxMs: Math.max(...delays) };
    console.log(`${name === 'zoo' ? 'ZooServer' : 'ZooKeeper'}: death -> ephemeral deleted, ${clients} clients, ${timeout / 1000} s sessions: min ${(out[name].minMs / 1000).toFixed(2)} s, mean ${(mean / 1000).toFixed(2)} s, max ${(out[name].maxMs / 1000).toFixed(2)} s`);
  } finally {
    await server.stop();
  }
}
console.log(JSON.stringify({ clients, timeoutMs: timeout, tickTime: TICK, ...out }));
