#!/usr/bin/env node
// Watch fan-out (issue #9): 1,000 connections watch one node; one setData; time until every
// watcher has its NodeDataChanged. Also: ephemeral-loss detection (a session closes → a watcher
// sees NodeDeleted). ZooServer (durable) vs Apache ZooKeeper, each in its own process, --runs
// times (default 5).   node tools/bench/src/fanout.mjs [watchers] [--runs 5 | --quick]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeRequest, OpCode, OPEN_ACL_UNSAFE } from '@zoo/core';
import { openSession } from './load-generator.mjs';
import { cliArgs, fmtField, runCount, serversNote, spawnZooServer, startZooKeeperProcess, summarizeRuns } from './bench-kit.mjs';

const WATCHERS = Number(process.argv[2]?.startsWith('--') ? 1000 : process.argv[2] ?? 1000);
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

const runs = runCount(cliArgs());
console.error(`${serversNote()}; ${runs} run(s)`);
const dir = mkdtempSync(join(tmpdir(), 'zoo-fanout-'));
const zoo = await spawnZooServer(dir);
const zk = await startZooKeeperProcess();
const perRun = { zoo: [], zookeeper: [] };
try {
  await fanout(zk.port); // warm-up of the JVM
  for (let r = 0; r < runs; r++) {
    perRun.zoo.push({ fanoutMs: await fanout(zoo.port), ephemeralLossMs: await ephemeralLoss(zoo.port) });
    perRun.zookeeper.push({ fanoutMs: await fanout(zk.port), ephemeralLossMs: await ephemeralLoss(zk.port) });
  }
} finally {
  await zoo.stop();
  await zk.stop();
  rmSync(dir, { recursive: true, force: true });
}
const result = { watchers: WATCHERS, runs, zoo: summarizeRuns(perRun.zoo), zookeeper: summarizeRuns(perRun.zookeeper) };
const ms = (r, k, d) => fmtField(r, k, (v) => v.toFixed(d));
console.log(`${serversNote()}; median (min–max) of ${runs} runs`);
console.log(`| measure | ZooServer (durable) | ZooKeeper 3.8 |\n|---|---|---|\n| fan-out to ${WATCHERS} watchers (ms, each run the median of 5 rounds) | ${ms(result.zoo, 'fanoutMs', 1)} | ${ms(result.zookeeper, 'fanoutMs', 1)} |\n| ephemeral loss → NodeDeleted (ms, each run the median of 7) | ${ms(result.zoo, 'ephemeralLossMs', 2)} | ${ms(result.zookeeper, 'ephemeralLossMs', 2)} |`);
console.log(JSON.stringify(result));
