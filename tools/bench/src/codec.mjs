#!/usr/bin/env node
// Codec-only benchmark: encode/decode ops/s of the frames on the server's and client's hot path
// (getData request + reply, setData request + reply, a notification), one core, no I/O.
// Not part of `npm test`. Run after `npm run build`:  node tools/bench/src/codec.mjs [--ops 1000000]
import { FrameDecoder, JuteReader, JuteWriter, OpCode, decodeRequest, encodeReply, encodeRequest, encodeNotification, readReplyHeader, readResponseBody, writeReply } from '@zoo/core';
import { cliArgs } from './bench-kit.mjs';

const args = cliArgs();
const ops = Number(args.get('--ops') ?? 1_000_000);

const stat = { czxid: 10n, mzxid: 20n, ctime: 1_700_000_000_000n, mtime: 1_700_000_000_001n, version: 3, cversion: 0, aversion: 0, ephemeralOwner: 0n, dataLength: 100, numChildren: 0, pzxid: 10n };
const value = Buffer.alloc(100, 7);
const path = '/services/api/instances/n0000001234';

// A result that the optimizer cannot discard; printed at the end so it is observably used.
let sink = 0;

function measure(name, fn) {
  fn(Math.min(ops, 50_000)); // warm up so the JIT has compiled the path
  const start = process.hrtime.bigint();
  fn(ops);
  const ns = Number(process.hrtime.bigint() - start);
  const rate = ops / (ns / 1e9);
  console.log(`${name.padEnd(36)} ${Math.round(rate).toLocaleString('en-US').padStart(12)} ops/s  (${(ns / ops).toFixed(0)} ns/op)`);
  return Math.round(rate);
}

const getDataReq = { op: OpCode.getData, path, watch: false };
const setDataReq = { op: OpCode.setData, path, data: value, version: -1 };
const getDataRes = { op: OpCode.getData, data: value, stat };
const setDataRes = { op: OpCode.setData, stat };
const getDataReqPayload = encodeRequest(1, getDataReq).subarray(4);
const setDataReqPayload = encodeRequest(1, setDataReq).subarray(4);
const getDataResPayload = encodeReply({ xid: 1, zxid: 5n, err: 0 }, getDataRes).subarray(4);
const setDataResPayload = encodeReply({ xid: 1, zxid: 5n, err: 0 }, setDataRes).subarray(4);

const results = {};
results.encodeGetDataRequest = measure('encode getData request', (n) => {
  for (let i = 0; i < n; i++) sink += encodeRequest(i, getDataReq).length;
});
results.decodeGetDataRequest = measure('decode getData request', (n) => {
  for (let i = 0; i < n; i++) sink += decodeRequest(getDataReqPayload).header.xid;
});
results.encodeGetDataReply = measure('encode getData reply (100 B + Stat)', (n) => {
  for (let i = 0; i < n; i++) sink += encodeReply({ xid: i, zxid: 5n, err: 0 }, getDataRes).length;
});
results.decodeGetDataReply = measure('decode getData reply', (n) => {
  for (let i = 0; i < n; i++) {
    const r = new JuteReader(getDataResPayload);
    sink += readReplyHeader(r).xid + readResponseBody(OpCode.getData, r).stat.version;
  }
});
results.encodeSetDataRequest = measure('encode setData request (100 B)', (n) => {
  for (let i = 0; i < n; i++) sink += encodeRequest(i, setDataReq).length;
});
results.decodeSetDataRequest = measure('decode setData request', (n) => {
  for (let i = 0; i < n; i++) sink += decodeRequest(setDataReqPayload).header.xid;
});
results.encodeSetDataReply = measure('encode setData reply (Stat)', (n) => {
  for (let i = 0; i < n; i++) sink += encodeReply({ xid: i, zxid: 6n, err: 0 }, setDataRes).length;
});
results.decodeSetDataReply = measure('decode setData reply', (n) => {
  for (let i = 0; i < n; i++) {
    const r = new JuteReader(setDataResPayload);
    sink += readReplyHeader(r).xid + readResponseBody(OpCode.setData, r).stat.version;
  }
});
results.encodeNotification = measure('encode notification', (n) => {
  for (let i = 0; i < n; i++) sink += encodeNotification(7n, { type: 3, state: 3, path }).length;
});

// Batched replies: one writer for 64 frames (what a server does when it coalesces a socket write).
results.batchedGetDataReplies = measure('encode getData reply, 64 per writer', (n) => {
  const batches = Math.ceil(n / 64);
  for (let b = 0; b < batches; b++) {
    const w = new JuteWriter(64 * 200);
    for (let i = 0; i < 64; i++) {
      const start = w.beginFrame();
      writeReply(w, { xid: i, zxid: 5n, err: 0 }, getDataRes);
      w.endFrame(start);
    }
    sink += w.length;
  }
});

// Framing: a stream of getData request frames cut into 64 KiB socket-sized chunks.
const frame = encodeRequest(1, getDataReq);
const perStream = 100_000;
const stream = Buffer.concat(Array.from({ length: perStream }, () => frame));
results.frameDecode = measure('frame decode (64 KiB chunks)', (n) => {
  const decoder = new FrameDecoder();
  let left = n;
  while (left > 0) {
    for (let off = 0; off < stream.length && left > 0; off += 65536) {
      const frames = decoder.push(stream.subarray(off, off + 65536));
      left -= frames.length;
      sink += frames.length;
    }
  }
});

console.log(JSON.stringify({ ops, ...results, sink: sink > 0 }));
