// A pipelining ZooKeeper load generator: C connections × D outstanding requests each,
// 100-byte values, latencies per request. Speaks the wire protocol through @zoo/core's codec
// (no client library in the way), so every server is measured by the same code.
import { connect } from 'node:net';
import { decodeConnectResponse, encodeConnectRequest, encodeRequest, FrameDecoder, OpCode, OPEN_ACL_UNSAFE } from '@zoo/core';

const VALUE = Buffer.alloc(100, 0x61);
const ACL = [...OPEN_ACL_UNSAFE];
/** ZooKeeper's NODEEXISTS: populate() may run twice against one server. */
const NODE_EXISTS = -110;
/** Where a reply frame holds its error code: after xid (int) and zxid (long). */
const ERR_OFFSET = 12;
/** ZooKeeper's NONODE: removeCreated() deletes what a cut-off run may not have created. */
const NO_NODE = -101;
/** Makes create paths unique across the runs of one process. */
let runSeq = 0;

/** Opens a session; resolves with { socket, decoder }. `timeoutMs` bounds an unanswered handshake. */
export async function openSession(port, { timeoutMs = 0 } = {}) {
  const socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const decoder = new FrameDecoder(16 * 1024 * 1024);
  socket.write(encodeConnectRequest({ protocolVersion: 0, lastZxidSeen: 0n, timeOut: 30000, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false }));
  await new Promise((resolve, reject) => {
    // a server that is still loading accepts the connection and closes it unanswered
    const onClose = () => reject(new Error('connection closed before the handshake completed'));
    const onData = (chunk) => {
      const frames = decoder.push(chunk);
      if (frames.length) {
        socket.off('data', onData);
        socket.off('close', onClose);
        decodeConnectResponse(frames[0]);
        resolve();
      }
    };
    socket.on('data', onData);
    socket.once('close', onClose);
    if (timeoutMs > 0) socket.setTimeout(timeoutMs, () => socket.destroy());
  });
  socket.setTimeout(0);
  return { socket, decoder };
}

/** Creates /bench and /bench/k0..k{n-1} with 100-byte values (those there already are kept). */
export async function populate(port, keys = 1000) {
  const { socket, decoder } = await openSession(port);
  let xid = 1;
  let acked = 0;
  const total = keys + 1;
  await new Promise((resolve, reject) => {
    socket.on('data', (chunk) => {
      for (const frame of decoder.push(chunk)) {
        const err = frame.readInt32BE(ERR_OFFSET);
        if (err !== 0 && err !== NODE_EXISTS) reject(new Error(`populate: create #${frame.readInt32BE(0)} answered error ${err}`));
        acked++;
      }
      if (acked >= total) resolve();
    });
    const frames = [encodeRequest(xid++, { op: OpCode.create, path: '/bench', data: null, acl: ACL, flags: 0 })];
    for (let i = 0; i < keys; i++) frames.push(encodeRequest(xid++, { op: OpCode.create, path: `/bench/k${i}`, data: VALUE, acl: ACL, flags: 0 }));
    socket.write(Buffer.concat(frames));
  });
  socket.destroy();
}

const createdPath = (run, conn, i) => `/bench/c${process.pid}-${run}-${conn}-${i}`;

function makeRequest(kind, conn, i, run) {
  const key = `/bench/k${(conn * 7919 + i) % 1000}`;
  switch (kind) {
    case 'get':
      return { op: OpCode.getData, path: key, watch: false };
    case 'set':
      return { op: OpCode.setData, path: key, data: VALUE, version: -1 };
    case 'create':
      return { op: OpCode.create, path: createdPath(run, conn, i), data: VALUE, acl: ACL, flags: 0 };
    case 'mixed':
      return i % 10 === 0 ? makeRequest('set', conn, i, run) : makeRequest('get', conn, i, run);
  }
}

/**
 * Runs `kind` for `seconds` (after a warm-up) and returns ops/s and latency percentiles (µs) of
 * the requests answered without error. Every reply's error code is read: an error reply is not
 * throughput, so error replies are counted apart (`errors`, and `firstError` = its code) and
 * left out of ops/s and latencies; the caller decides whether any error fails the scenario
 * (assertClean).
 */
export async function runLoad(port, { kind, connections, depth, seconds = 3, warmupSeconds = 1 }) {
  const sessions = await Promise.all(Array.from({ length: connections }, () => openSession(port)));
  const run = runSeq++;
  // requests sent per connection: a create run's paths, for removeCreated
  const sent = sessions.map(() => 0);
  const latencies = [];
  let measuring = false;
  let stopped = false;
  let ops = 0;
  let errors = 0;
  let firstError = 0;
  const done = sessions.map(({ socket, decoder }, c) => {
    let xid = 1;
    let i = 0;
    const sentAt = new Map();
    // the requests a chunk of replies makes room for leave in one write, so the generator
    // spends its core on requests rather than on syscalls and is not the first to saturate
    let batch = [];
    const send = (now) => {
      const id = xid++;
      sentAt.set(id, now);
      batch.push(encodeRequest(id, makeRequest(kind, c, i++, run)));
      sent[c] = i;
    };
    const flush = () => {
      if (batch.length === 0) return;
      socket.write(batch.length === 1 ? batch[0] : Buffer.concat(batch));
      batch = [];
    };
    return new Promise((resolve) => {
      socket.on('data', (chunk) => {
        const now = process.hrtime.bigint();
        for (const frame of decoder.push(chunk)) {
          const id = frame.readInt32BE(0);
          const t = sentAt.get(id);
          if (t === undefined) continue;
          sentAt.delete(id);
          const err = frame.readInt32BE(ERR_OFFSET);
          if (err !== 0) {
            errors++;
            firstError ||= err;
          } else if (measuring) {
            ops++;
            latencies.push(Number(now - t) / 1000);
          }
          if (!stopped) send(now);
          else if (sentAt.size === 0) resolve();
        }
        flush();
      });
      const now = process.hrtime.bigint();
      for (let k = 0; k < depth; k++) send(now);
      flush();
    });
  });
  await new Promise((r) => setTimeout(r, warmupSeconds * 1000));
  measuring = true;
  const start = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  measuring = false;
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  stopped = true;
  await Promise.race([Promise.all(done), new Promise((r) => setTimeout(r, 5000))]);
  for (const s of sessions) s.socket.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  const created = kind === 'create' ? { run, sent } : undefined;
  return { opsPerSec: ops / elapsed, p50: pct(50), p99: pct(99), p999: pct(99.9), errors, firstError, created };
}

/**
 * Deletes the znodes a create run made (untimed), so that every scenario starts from the same
 * tree on every server: otherwise the faster server ends each create run with more znodes than
 * the other, and its later scenarios serve (and snapshot) a larger tree.
 */
export async function removeCreated(port, result) {
  if (!result.created) return;
  const { run, sent } = result.created;
  const paths = sent.flatMap((n, conn) => Array.from({ length: n }, (_, i) => createdPath(run, conn, i)));
  const { socket, decoder } = await openSession(port);
  const WINDOW = 1000;
  let next = 0;
  let acked = 0;
  try {
    await new Promise((resolve, reject) => {
      const sendUpTo = (limit) => {
        const frames = [];
        while (next < paths.length && next < limit) frames.push(encodeRequest(next + 1, { op: OpCode.delete, path: paths[next++], version: -1 }));
        if (frames.length > 0) socket.write(Buffer.concat(frames));
      };
      socket.on('data', (chunk) => {
        for (const frame of decoder.push(chunk)) {
          const err = frame.readInt32BE(ERR_OFFSET);
          if (err !== 0 && err !== NO_NODE) return reject(new Error(`removeCreated: delete #${frame.readInt32BE(0)} answered error ${err}`));
          acked++;
        }
        if (acked >= paths.length) resolve();
        else sendUpTo(acked + WINDOW);
      });
      socket.once('error', reject);
      if (paths.length === 0) resolve();
      else sendUpTo(WINDOW);
    });
  } finally {
    socket.destroy();
  }
}

/** Throws if a runLoad result had error replies: its throughput would not mean anything. */
export function assertClean(what, result) {
  if (result.errors > 0) throw new Error(`${what}: ${result.errors} error replies (the first: error ${result.firstError}); an error reply is not throughput`);
  return result;
}
