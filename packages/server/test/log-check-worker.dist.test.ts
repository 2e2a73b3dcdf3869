import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock, OpCode, OPEN_ACL_UNSAFE, ZooEngine } from '@zoo/core';
import { openTxnStore } from '../src/index.js';

// The package as users get it: the built dist, ESM and CJS, each in a process of its own.
const pkg = fileURLToPath(new URL('..', import.meta.url));
const dist = { esm: join(pkg, 'dist/index.js'), cjs: join(pkg, 'dist/index.cjs') };

/** What a process using the dist runs: a restart from `dataDir` with a debug logger on stdout, then close; it must end on its own. */
const scripts = {
  esm: `
    const { ZooServer } = await import(${JSON.stringify(dist.esm)});
    const { default: pino } = await import('pino');
    const server = await ZooServer.start({ port: 0, dataDir: process.argv[1], logger: pino({ level: 'debug' }) });
    console.log(JSON.stringify({ msg: 'nodes', nodes: server.state.stats().nodeCount }));
    await server.close();
  `,
  cjs: `
    const { ZooServer } = require(${JSON.stringify(dist.cjs)});
    const pino = require('pino');
    (async () => {
      const server = await ZooServer.start({ port: 0, dataDir: process.argv[1], logger: pino({ level: 'debug' }) });
      console.log(JSON.stringify({ msg: 'nodes', nodes: server.state.stats().nodeCount }));
      await server.close();
    })().catch((err) => { console.error(err); process.exitCode = 1; });
  `,
};

type Line = { msg: string; file?: string; files?: number; nodes?: number; snapshotZxid?: string };

function run(format: 'esm' | 'cjs', dataDir: string): Promise<{ code: number | null; lines: Line[]; stderr: string }> {
  const args = format === 'esm' ? ['--input-type=module', '-e', scripts.esm, dataDir] : ['-e', scripts.cjs, dataDir];
  const child = spawn(process.execPath, args, { cwd: pkg, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    // (no process.exit in the script: it ends only if nothing, the worker included, keeps it alive)
    child.once('exit', (code) => resolve({ code, stderr, lines: out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line) }));
  });
}

/** A data dir with a snapshot written at the end of the log it covers (as a restart after a snapshot finds it): `creates` nodes of `bytes` each. */
async function covered(creates: number, bytes: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'zoo-log-check-dist-'));
  const engine = new ZooEngine({ clock: new FakeClock() });
  const ctx = { watcher: { id: 1 }, sessionId: 0n, authInfo: [{ scheme: 'super', id: '' }] };
  const store = await openTxnStore({ dataDir: dir });
  await store.recover(new ZooEngine());
  const data = Buffer.alloc(bytes, 7);
  for (let i = 0; i < creates; i++) store.append(engine.process(ctx, 1, { op: OpCode.create, path: `/n${i}`, data, acl: [...OPEN_ACL_UNSAFE], flags: 0 }).txn!);
  await store.sync();
  await store.writeSnapshot(engine);
  await store.close();
  return dir;
}

// a log big enough to be worth a thread (8 MiB or more), and a small one
let dataDir: string;
let small: string;
beforeAll(async () => {
  for (const file of Object.values(dist)) if (!existsSync(file)) throw new Error(`${file} is missing: build @zoo/server first (npm run build)`);
  dataDir = await covered(2200, 4096);
  small = await covered(200, 1);
});
afterAll(async () => {
  for (const dir of [dataDir, small]) await rm(dir, { recursive: true, force: true });
});

describe('the built package checks the logs on its worker thread', () => {
  for (const format of ['esm', 'cjs'] as const) {
    it(`${format}: starts the worker from next to ${format === 'esm' ? 'index.js' : 'index.cjs'}, which checks the log; the process then ends on its own`, async () => {
      const { code, lines, stderr } = await run(format, dataDir);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const started = lines.find((l) => l.msg === 'checking the transaction logs on a worker thread');
      expect(started?.file).toBe(join(pkg, 'dist', format === 'esm' ? 'log-check-worker.js' : 'log-check-worker.cjs'));
      expect(lines.find((l) => l.msg === 'transaction logs checked on a worker thread')?.files).toBe(1);
      expect(lines.filter((l) => /on this thread/.test(l.msg))).toEqual([]);
      expect(lines.find((l) => l.msg === 'recovered')).toMatchObject({ snapshotZxid: '0x898', replayed: 0 });
      // 2,200 nodes, the root and ZooKeeper's /zookeeper, /zookeeper/quota, /zookeeper/config (and "" as ZooKeeper counts it)
      expect(lines.find((l) => l.msg === 'nodes')?.nodes).toBe(2205);
    });
  }

  it('checks a small log on the main thread (less work than starting a thread), with no worker at all', async () => {
    const { code, lines } = await run('esm', small);
    expect(code).toBe(0);
    expect(lines.filter((l) => /worker|thread/.test(l.msg))).toEqual([]);
    expect(lines.find((l) => l.msg === 'recovered')).toMatchObject({ snapshotZxid: '0xc8', replayed: 0 });
    expect(lines.find((l) => l.msg === 'nodes')?.nodes).toBe(205);
  });

  it('the zoo-server command (dist/bin.js, ESM) starts the worker next to it too', async () => {
    const child = spawn(process.execPath, [join(pkg, 'bin/zoo-server.js'), '--data-dir', dataDir, '--port', '0', '--log-level', 'debug'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines: Line[] = [];
    let out = '';
    try {
      await new Promise<void>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`zoo-server exited with ${code} before serving`)));
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          let nl: number;
          while ((nl = out.indexOf('\n')) >= 0) {
            const line = out.slice(0, nl);
            out = out.slice(nl + 1);
            if (line.startsWith('{')) lines.push(JSON.parse(line) as Line);
          }
          if (lines.some((l) => l.msg === 'serving')) resolve();
        });
      });
    } finally {
      child.kill('SIGKILL');
    }
    expect(lines.find((l) => l.msg === 'checking the transaction logs on a worker thread')?.file).toBe(join(pkg, 'dist/log-check-worker.js'));
    expect(lines.find((l) => l.msg === 'transaction logs checked on a worker thread')?.files).toBe(1);
    expect(lines.filter((l) => /on this thread/.test(l.msg))).toEqual([]);
  });
});
