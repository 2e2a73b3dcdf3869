import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { OpCode, OPEN_ACL_UNSAFE } from '@zoo/core';
import { RawClient } from './raw-client.js';

/** The `zoo-server` bin as a user runs it: the package's bin file (which loads the build), a child process (npm test builds first). */
const bin = fileURLToPath(new URL('../bin/zoo-server.js', import.meta.url));

interface Running {
  child: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'zoo-bin-'));
  dirs.push(dir);
  return dir;
}

function run(args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`npm run build\` first`);
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Starts the bin and waits for its "serving" line (pino JSON on stdout). */
async function start(args: string[]): Promise<Running> {
  const r = run(['--port', '0', '--host', '127.0.0.1', ...args]);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no serving line in time:\n${r.output()}`)), 20_000);
    const check = () => {
      const m = /Zoo serving on 127\.0\.0\.1:(\d+)/.exec(r.output());
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    r.child.stdout!.on('data', check);
    void r.exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`zoo-server exited early:\n${r.output()}`));
    });
  });
  return { ...r, port };
}

describe('zoo-server bin', () => {
  it('serves a durable tree, stops cleanly on SIGTERM, and has it back after a restart', async () => {
    const dataDir = await tempDir();
    const first = await start(['--data-dir', dataDir]);
    const c = await RawClient.open(first.port);
    expect((await c.send({ op: OpCode.create, path: '/from-bin', data: Buffer.from('kept'), acl: [...OPEN_ACL_UNSAFE], flags: 0 })).header.err).toBe(0);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    await c.closed;
    expect(first.output()).toMatch(/SIGTERM: flushing the log and stopping/);

    const second = await start(['--data-dir', dataDir]);
    const d = await RawClient.open(second.port);
    const got = await d.send({ op: OpCode.getData, path: '/from-bin', watch: false });
    expect((got.response as { data: Buffer }).data.toString()).toBe('kept');
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
    await d.closed;
  }, 60_000);

  it('reads zoo.cfg, with flags on top; the admin port serves /commands', async () => {
    const dir = await tempDir();
    const cfg = join(dir, 'zoo.cfg');
    await writeFile(cfg, `tickTime=1000\nclientPort=1\nmaxSessionTimeout=5000\n4lw.commands.whitelist=*\nsomething.unknown=1\n`);
    const r = await start(['--config', cfg, '--admin-port', '0']);
    expect(r.output()).toMatch(/unknown key something\.unknown/);
    const c = await RawClient.open(r.port, { timeOut: 60_000 });
    expect(c.session!.timeOut).toBe(5000); // maxSessionTimeout from the file
    const admin = /admin on (http:\/\/[\d.]+:\d+)\/commands/.exec(r.output());
    expect(admin).not.toBeNull();
    expect(await (await fetch(`${admin![1]}/commands/ruok`)).json()).toEqual({ command: 'ruok', error: null });
    r.child.kill('SIGTERM');
    expect(await r.exited).toBe(0);
  }, 60_000);

  it('refuses an invalid zoo.cfg with a message naming the key', async () => {
    const dir = await tempDir();
    const cfg = join(dir, 'zoo.cfg');
    await writeFile(cfg, 'tickTime=soon\n');
    const r = run(['--config', cfg]);
    expect(await r.exited).toBe(2);
    expect(r.output()).toMatch(/^zoo-server: cannot start: invalid value for tickTime: "soon" is not an integer$/m);
  }, 30_000);

  it('refuses a bad --port', async () => {
    const r = run(['--port', 'x']);
    expect(await r.exited).not.toBe(0);
    expect(r.output()).toMatch(/"x" is not a port/);
  }, 30_000);

  it('prints the version of the package it was built from with --version', async () => {
    const { version } = JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8')) as { version: string };
    const r = run(['--version']);
    expect(await r.exited).toBe(0);
    expect(r.output().trim()).toBe(version);
  }, 30_000);
});
