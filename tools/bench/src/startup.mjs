#!/usr/bin/env node
// Embedded start time (issue #9): how long until a server answers its first session.
//  - ZooServer in-process: `await ZooServer.start()` (empty dataDir), the embedded case;
//  - ZooServer as a process: spawn → first session answered (includes Node's own start);
//  - Apache ZooKeeper 3.8 as a process: spawn → first session answered (JVM start included).
//   npm run build && node tools/bench/src/startup.mjs [--rounds 5]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ZooServer } from '@zoo/server';
import { freePort } from '@zoo/zookeeper';
import { openSession } from './load-generator.mjs';
import { cliArgs, percentile, spawnZooKeeper } from './bench-kit.mjs';

const args = cliArgs();
const rounds = Number(args.get('--rounds') ?? 5);
const here = fileURLToPath(new URL('.', import.meta.url));
const median = (xs) => percentile(xs, 50);

/** Polls until a session opens on the port; resolves with the time it first did. */
async function firstSession(port, child) {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const s = await openSession(port, { timeoutMs: 50 });
      s.socket.destroy();
      return performance.now();
    } catch {
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

async function embedded() {
  const dir = mkdtempSync(join(tmpdir(), 'zoo-start-'));
  const t = performance.now();
  const server = await ZooServer.start({ port: 0, dataDir: dir });
  const s = await openSession(server.port);
  const ms = performance.now() - t;
  s.socket.destroy();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
  return ms;
}

async function zooProcess() {
  const dir = mkdtempSync(join(tmpdir(), 'zoo-start-'));
  const t = performance.now();
  const child = spawn(process.execPath, [join(here, 'zoo-server-process.mjs'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    child.stdout.once('data', (d) => resolve(Number(d.toString().trim())));
    child.once('exit', (code) => reject(new Error(`ZooServer exited with ${code}`)));
  });
  const ms = (await firstSession(port, child)) - t;
  await new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); });
  rmSync(dir, { recursive: true, force: true });
  return ms;
}

async function zookeeperProcess() {
  const dir = mkdtempSync(join(tmpdir(), 'zoo-start-zk-'));
  const port = await freePort();
  const t = performance.now();
  const child = spawnZooKeeper(dir, port);
  try {
    return (await firstSession(port, child)) - t;
  } finally {
    await new Promise((r) => { child.once('exit', r); child.kill('SIGKILL'); });
    rmSync(dir, { recursive: true, force: true });
  }
}

const result = { embedded: [], zooProcess: [], zookeeper: [] };
for (let i = 0; i < rounds; i++) {
  result.embedded.push(await embedded());
  result.zooProcess.push(await zooProcess());
  result.zookeeper.push(await zookeeperProcess());
}
const summary = { embeddedMs: median(result.embedded), zooProcessMs: median(result.zooProcess), zookeeperMs: median(result.zookeeper) };
console.log(`| start → first session answered (median of ${rounds}) | ms |\n|---|---|`);
console.log(`| ZooServer embedded (in-process, empty dataDir) | ${summary.embeddedMs.toFixed(1)} |`);
console.log(`| ZooServer process (node start included) | ${summary.zooProcessMs.toFixed(0)} |`);
console.log(`| Apache ZooKeeper 3.8 process (JVM start included) | ${summary.zookeeperMs.toFixed(0)} |`);
console.log(JSON.stringify(summary));
