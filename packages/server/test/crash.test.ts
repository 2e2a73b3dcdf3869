import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OpCode, OPEN_ACL_UNSAFE } from '@zoo/core';
import { ZooServer } from '../src/index.js';
import { RawClient } from './raw-client.js';

const fixture = fileURLToPath(new URL('./fixtures/crash-server.mjs', import.meta.url));
const built = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function startChild(dataDir: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [fixture, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('exit', (code) => reject(new Error(`server exited early with ${code}`)));
  });
  return { child, port };
}

/** Writes as fast as acks come back (64 in flight); SIGKILLs the server after `killAfter` acks. */
async function loadThenKill(dataDir: string, killAfter: number): Promise<{ acked: string[]; lastZxid: bigint }> {
  const { child, port } = await startChild(dataDir);
  const client = await RawClient.open(port);
  const acked: string[] = [];
  let lastZxid = 0n;
  let seq = 0;
  let killed = false;
  await new Promise<void>((resolve) => {
    const sendOne = () => {
      if (killed) return;
      const path = `/crash-${seq++}`;
      client.send({ op: OpCode.create, path, data: Buffer.alloc(100, 1), acl: [...OPEN_ACL_UNSAFE], flags: 0 }).then((r) => {
        if (killed) return;
        if (r.header.err === 0) {
          acked.push(path);
          if (r.header.zxid > lastZxid) lastZxid = r.header.zxid;
        }
        if (acked.length >= killAfter) {
          killed = true;
          child.kill('SIGKILL');
          resolve();
        } else sendOne();
      });
    };
    for (let i = 0; i < 64; i++) sendOne();
  });
  await new Promise((r) => child.once('exit', r));
  await client.close();
  return { acked, lastZxid };
}

describe('crash recovery (SIGKILL under load)', () => {
  beforeAll(() => {
    // the server runs from its build in a child process; `npm test` builds first
    if (!existsSync(built)) throw new Error(`missing ${built}: run npm run build`);
  });

  it('keeps every acknowledged write, and zxids move on', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zoo-crash-'));
    dirs.push(dir);
    const { acked, lastZxid } = await loadThenKill(dir, 2000);
    const server = await ZooServer.start({ port: 0, dataDir: dir });
    try {
      const missing = [];
      for (const path of acked) if (!(await server.exists(path))) missing.push(path);
      expect(missing).toEqual([]);
      expect(server.state.lastZxid).toBeGreaterThanOrEqual(lastZxid);
      await server.create('/after');
      expect((await server.exists('/after'))!.czxid).toBeGreaterThan(lastZxid);
    } finally {
      await server.close();
    }
  });

  it('survives a torn last record', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zoo-crash-'));
    dirs.push(dir);
    const { acked } = await loadThenKill(dir, 500);
    const logs = (await readdir(dir)).filter((n) => n.startsWith('log.')).sort((a, b) => (BigInt(`0x${a.slice(4)}`) < BigInt(`0x${b.slice(4)}`) ? -1 : 1));
    // a write that was cut short: a record header promising more bytes than follow
    await appendFile(join(dir, logs[logs.length - 1]), Buffer.from([0, 0, 0, 120, 1, 2, 3, 4, 5, 6, 7]));
    const server = await ZooServer.start({ port: 0, dataDir: dir });
    try {
      for (const path of acked) expect(await server.exists(path), path).not.toBeNull();
    } finally {
      await server.close();
    }
  });
});

