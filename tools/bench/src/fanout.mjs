#!/usr/bin/env node
// Watch fan-out (issue #9): 1,000 connections watch one node; one setData; time until every
// watcher has its NodeDataChanged. Also: ephemeral-loss detection (a session closes → a watcher
// sees NodeDeleted). ZooServer (durable) vs Apache ZooKeeper.   node tools/bench/src/fanout.mjs
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeRequest, OpCode, OPEN_ACL_UNSAFE } from '@zoo/core';
import { ZooServer } from '@zoo/server';
import { startZooKeeper } from '@zoo/zookeeper';
import { openSession } from './load-generator.mjs';

const WATCHERS = Number(process.argv[2] ?? 1000);
const acl = [...OPEN_ACL_UNSAFE];

async function fanout(port) {
  const writer = await openSession(port);
  writer.socket.write(encodeRequest(1, { op: OpCode.create, path: '/fan', data: null, acl, flags: 0 }));
  await new Promise((r) => writer.socket.once('data', r));
  const watchers = [];
  for (let i = 0; i < WATCHERS; i += 50) watchers.push(...(await Promise.all(Array.from({ length: Math.min(50, WATCHERS - i) }, () => openSession(port)))));
  // each watcher sets a data watch and waits for its reply
  await Promise.all(watchers.map((w) => new Promise((resolve) => {
    w.socket.once('data', resolve);
    w.socket.write(encodeRequest(1, { op: OpCode.getData, path: '/fan', watch: true }));
  })));
  const results = [];
  for (let round = 0; round < 5; round++) {
    let notified = 0;
    const all = new Promise((resolve) => {
      for (const w of watchers) {
        const onData = (chunk) => {
          for (const f of w.decoder.push(chunk)) {
            if (f.readInt32BE(0) === -1) {
              w.socket.off('data', onData);
              if (++notified === watchers.length) resolve();
            }
          }
        };
        w.socket.on('data', onData);
      }
    });
    const t = performance.now();
    writer.socket.write(encodeRequest(2 + round, { op: OpCode.setData, path: '/fan', data: Buffer.from(String(round)), version: -1 }));
    await all;
    results.push(performance.now() - t);
    // re-arm the one-shot watches
    await Promise.all(watchers.map((w) => new Promise((resolve) => {
      w.socket.once('data', resolve);
      w.socket.write(encodeRequest(10 + round, { op: OpCode.getData, path: '/fan', watch: true }));
    })));
  }
  for (const w of [writer, ...watchers]) w.socket.destroy();
  return results.sort((a, b) => a - b)[2];
}

/** Median of 7 rounds: one sample is at the mercy of a GC or the other core's load. */
async function ephemeralLoss(port) {
  const rounds = [];
  for (let i = 0; i < 7; i++) rounds.push(await ephemeralLossOnce(port));
  return rounds.sort((a, b) => a - b)[3];
}

async function ephemeralLossOnce(port) {
  const owner = await openSession(port);
  const watcher = await openSession(port);
  owner.socket.write(encodeRequest(1, { op: OpCode.create, path: '/eph-bench', data: null, acl, flags: 1 }));
  await new Promise((r) => owner.socket.once('data', r));
  watcher.socket.write(encodeRequest(1, { op: OpCode.exists, path: '/eph-bench', watch: true }));
  await new Promise((r) => watcher.socket.once('data', r));
  const seen = new Promise((resolve) => watcher.socket.on('data', (chunk) => {
    for (const f of watcher.decoder.push(chunk)) if (f.readInt32BE(0) === -1) resolve();
  }));
  const t = performance.now();
  owner.socket.write(encodeRequest(2, { op: OpCode.closeSession }));
  await seen;
  const ms = performance.now() - t;
  watcher.socket.destroy();
  owner.socket.destroy();
  return ms;
}

const dir = mkdtempSync(join(tmpdir(), 'zoo-fanout-'));
const zoo = await ZooServer.start({ port: 0, dataDir: dir, maxClientCnxns: 0 });
const zooFan = await fanout(zoo.port);
const zooLoss = await ephemeralLoss(zoo.port);
await zoo.close();
rmSync(dir, { recursive: true, force: true });
const zk = await startZooKeeper();
const port = zk.nodes[0].clientPort;
await fanout(port); // warm-up
const zkFan = await fanout(port);
const zkLoss = await ephemeralLoss(port);
await zk.stop();
console.log(`| measure | ZooServer (durable) | ZooKeeper 3.8 |\n|---|---|---|\n| fan-out to ${WATCHERS} watchers (median of 5) | ${zooFan.toFixed(1)} ms | ${zkFan.toFixed(1)} ms |\n| ephemeral loss → NodeDeleted (median of 7) | ${zooLoss.toFixed(2)} ms | ${zkLoss.toFixed(2)} ms |`);
console.log(JSON.stringify({ watchers: WATCHERS, zoo: { fanoutMs: zooFan, ephemeralLossMs: zooLoss }, zookeeper: { fanoutMs: zkFan, ephemeralLossMs: zkLoss } }));
