import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { OpCode, OPEN_ACL_UNSAFE, ZooErrorCode, type Request } from '@zoo/core';
import { ZooServer } from '../src/index.js';
import { RawClient, until, type Reply } from './raw-client.js';

// The full-disk scenario on a real 4 MiB tmpfs, with the built `zoo-server` bin in its
// own process: sequential 2 KiB creates until writes fail; reads go on and writes get NOTREADONLY
// while the disk is full; a copy of the data dir taken then (a crash at that moment) holds every
// acknowledged create; after space is freed writes resume; SIGKILL, restart on a copy: every
// acknowledged create is there and the next sequential create reuses no number.

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

/** Mounting a tmpfs needs root: CI runs as root; elsewhere say loudly that this is not run. */
function canMountTmpfs(): boolean {
  if (process.getuid?.() === 0) return true;
  if (process.env.CI) throw new Error('the full-disk test mounts a tmpfs and must run as root under CI');
  console.warn('\n*** full-disk test NOT RUN: mounting a tmpfs needs root (CI runs it as root) ***\n');
  return false;
}

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterAll(async () => {
  while (cleanups.length) await Promise.resolve(cleanups.pop()!()).catch(() => {});
});

function startBin(dataDir: string): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`npm run build\` first`);
  const child = spawn(process.execPath, [bin, '--port', '0', '--data-dir', dataDir, '--log-level', 'info'], { stdio: ['ignore', 'pipe', 'pipe'] });
  cleanups.push(() => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'));
  let out = '';
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /Zoo serving on [^"\s]+:(\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]), output: () => out });
    });
    child.once('exit', (code) => reject(new Error(`zoo-server exited early with ${code}:\n${out}`)));
  });
}

const create = (path: string): Request => ({ op: OpCode.create, path, data: Buffer.alloc(2048, 0x5a), acl: [...OPEN_ACL_UNSAFE], flags: 2 });
const pathOf = (r: Reply) => (r.response as { path: string }).path;
const seqOf = (p: string) => Number(p.slice(p.lastIndexOf('-') + 1));

/** Sequential creates, `inFlight` at a time, until one fails or the connection closes. Returns the acknowledged paths. */
async function fillUntilFailure(c: RawClient, inFlight: number): Promise<{ acked: string[]; errors: number[] }> {
  const acked: string[] = [];
  const errors: number[] = [];
  let stop = false;
  const closed = c.closed.then(() => (stop = true));
  const worker = async () => {
    while (!stop) {
      const r = await Promise.race([c.send(create('/q/n-')), closed.then(() => undefined)]);
      if (!r) return;
      if (r.header.err === 0) acked.push(pathOf(r));
      else {
        errors.push(r.header.err);
        stop = true;
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { acked, errors };
}

async function childrenOf(dataDir: string): Promise<{ server: ZooServer; names: Set<string> }> {
  const copy = await mkdtemp(join(tmpdir(), 'zoo-full-copy-'));
  cleanups.push(() => rm(copy, { recursive: true, force: true }));
  await cp(dataDir, copy, { recursive: true });
  const server = await ZooServer.start({ port: 0, dataDir: copy });
  cleanups.push(() => server.close());
  return { server, names: new Set((await server.getChildren('/q')).map((n) => `/q/${n}`)) };
}

describe.runIf(canMountTmpfs())('a full disk (4 MiB tmpfs) under the zoo-server bin', () => {
  it('acknowledged creates survive, reads go on, writes get NOTREADONLY, resume once space is freed, and no sequence number is reused after a restart', async () => {
    const mnt = await mkdtemp(join(tmpdir(), 'zoo-tmpfs-'));
    cleanups.push(() => rm(mnt, { recursive: true, force: true }));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mnt]);
    cleanups.push(() => execFileSync('umount', ['-l', mnt]));
    const dataDir = join(mnt, 'data');
    await mkdir(dataDir);
    // room to free later
    const ballast = join(mnt, 'ballast');
    await writeFile(ballast, Buffer.alloc(1536 * 1024, 1));
    // (no snapshot on the way: one abandoned on the full disk would free its room, and writes
    // could resume before the test looks; the store's tests cover that case)

    const { child, port, output } = await startBin(dataDir);
    const setup = await RawClient.open(port);
    cleanups.push(() => setup.close());
    expect((await setup.send({ op: OpCode.create, path: '/q', data: null, acl: [...OPEN_ACL_UNSAFE], flags: 0 })).header.err).toBe(0);
    // a session that is open before the disk fills (new sessions are txns: refused while read-only)
    const reader = await RawClient.open(port);
    cleanups.push(() => reader.close());

    const writer = await RawClient.open(port);
    cleanups.push(() => writer.close());
    const { acked, errors } = await fillUntilFailure(writer, 16);
    expect(acked.length).toBeGreaterThan(100);
    for (const e of errors) expect(e).toBe(ZooErrorCode.NOTREADONLY);
    await until(() => /serving reads only/.test(output()), 10_000, 'the server to log that it is read-only');

    // still up, serving reads of exactly what was acknowledged, refusing writes
    expect(child.exitCode).toBeNull();
    const listed = await reader.send({ op: OpCode.getChildren, path: '/q', watch: false });
    expect(listed.header.err).toBe(0);
    expect(new Set((listed.response as { children: string[] }).children.map((n) => `/q/${n}`))).toEqual(new Set(acked));
    const read = await reader.send({ op: OpCode.getData, path: acked[0], watch: false });
    expect((read.response as { data: Buffer }).data.length).toBe(2048);
    expect((await reader.send(create('/q/n-'))).header.err).toBe(ZooErrorCode.NOTREADONLY);

    // a crash now: a copy of the data dir holds every acknowledged create, and nothing else
    const atFailure = await childrenOf(dataDir);
    expect(atFailure.names).toEqual(new Set(acked));
    const maxSeq = Math.max(...acked.map(seqOf));
    expect(seqOf(await atFailure.server.create('/q/n-', null, { sequential: true }))).toBeGreaterThan(maxSeq);

    // space comes back: writes resume on the same session
    await unlink(ballast);
    const more: string[] = [];
    const deadline = Date.now() + 30_000;
    for (;;) {
      const r = await reader.send(create('/q/n-'));
      if (r.header.err === 0) {
        more.push(pathOf(r));
        break;
      }
      expect(r.header.err).toBe(ZooErrorCode.NOTREADONLY);
      if (Date.now() > deadline) throw new Error(`writes did not resume after space was freed:\n${output()}`);
      await new Promise((res) => setTimeout(res, 100));
    }
    for (let i = 0; i < 19; i++) {
      const r = await reader.send(create('/q/n-'));
      if (r.header.err === 0) more.push(pathOf(r));
    }
    expect(more.length).toBe(20);
    for (const p of more) expect(seqOf(p)).toBeGreaterThan(maxSeq);

    // SIGKILL, restart on a copy: all of it is there, and sequence numbers move on
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const restarted = await childrenOf(dataDir);
    for (const p of [...acked, ...more]) expect(restarted.names.has(p), p).toBe(true);
    const newest = Math.max(...[...restarted.names].map(seqOf));
    expect(seqOf(await restarted.server.create('/q/n-', null, { sequential: true }))).toBeGreaterThan(newest);
  }, 120_000);
});
