import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, compile, installConsumerProject, packInto, publishablePackages, repoRoot, run, runOrThrow, type RunResult } from '../src/index.js';

// The packages as users get them: built, packed with npm pack, installed from the tarballs into
// fresh projects outside the workspace (no links, no path aliases), compiled by each project's
// own tsc and run as separate processes that must exit by themselves.
const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
const packages = publishablePackages();
const version = (name: string) => packages.find((p) => p.name === name)!.version;

let work: string;
let tarballs: Map<string, string>;

beforeAll(async () => {
  await runOrThrow('npm', ['run', 'build', '--silent'], { cwd: repoRoot, timeoutMs: 300_000 });
  work = mkdtempSync(join(tmpdir(), 'zoo-consumers-'));
  mkdirSync(join(work, 'tarballs'));
  tarballs = await packInto(join(work, 'tarballs'), packages);
}, 360_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
}, 300_000);

/** Runs a built app with a generous limit: it must end on its own, never be killed. */
async function runApp(dir: string, entry: string): Promise<{ result: RunResult; output: Record<string, unknown> }> {
  const result = await run(process.execPath, [entry], { cwd: dir, env: cleanEnv(), timeoutMs: 60_000 });
  expect(result.killed, `${entry} did not exit by itself\n${result.stdout}\n${result.stderr}`).toBe(false);
  expect(result.signal).toBeNull();
  expect(result.code, result.stderr).toBe(0);
  const line = result.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  expect(line, result.stdout).toBeDefined();
  const output = JSON.parse(line!) as Record<string, unknown>;
  // after close() nothing may keep the loop alive (a closing socket may still be listed)
  expect(output.resources).not.toContain('Timeout');
  return { result, output };
}

function consumerProject(name: string) {
  const project = { dir: '' };
  beforeAll(async () => {
    project.dir = join(work, name);
    await installConsumerProject(join(fixtures, name), project.dir, tarballs, packages);
  }, 300_000);
  return project;
}

describe('an ES module app using @zoo/server and @zoo/client', () => {
  const project = consumerProject('esm-app');

  it('compiles with tsc, moduleResolution nodenext, lib checks on', async () => {
    await compile(project.dir);
  }, 180_000);

  it('creates and reads a node, closes, and exits by itself with code 0', async () => {
    const { output } = await runApp(project.dir, 'dist/app.js');
    expect(output).toMatchObject({ data: 'Hello Zookeeper', version: 0, missing: 'NONODE' });
  }, 90_000);

  it('gets the zoo command from the @zoo/cli tarball', async () => {
    const result = await run(join(project.dir, 'node_modules', '.bin', 'zoo'), ['--version'], { cwd: project.dir, env: cleanEnv(), timeoutMs: 30_000 });
    expect([result.code, result.stdout], result.stderr).toEqual([0, `${version('@zoo/cli')}\n`]);
  }, 60_000);

  it('runs the zoo-server bin, which zoo talks to and SIGTERM stops cleanly', async () => {
    const bin = (name: string) => join(project.dir, 'node_modules', '.bin', name);
    const server = spawn(bin('zoo-server'), ['--port', '0'], { cwd: project.dir, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
    try {
      const address = await new Promise<string>((resolve, reject) => {
        let out = '';
        server.stdout.setEncoding('utf8').on('data', (d: string) => {
          out += d;
          const m = /"address":"([\d.]+:\d+)"/.exec(out);
          if (m) resolve(m[1]);
        });
        void exited.then((code) => reject(new Error(`zoo-server exited with ${code} before serving: ${out}`)));
      });
      const zoo = (...args: string[]) => run(bin('zoo'), ['--server', address, ...args], { cwd: project.dir, env: cleanEnv(), timeoutMs: 30_000 });
      expect((await zoo('create', '/from-cli', 'hi')).stdout).toBe('Created /from-cli\n');
      expect((await zoo('get', '/from-cli')).stdout).toBe('hi\n');
    } finally {
      server.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 60_000);
});

describe('a CommonJS app using @zoo/server and @zoo/client', () => {
  const project = consumerProject('cjs-app');

  it('compiles with tsc to require() calls, moduleResolution node16, lib checks on', async () => {
    await compile(project.dir);
  }, 180_000);

  it('creates and reads a node, closes, and exits by itself with code 0', async () => {
    const { output } = await runApp(project.dir, 'dist/app.js');
    expect(output).toMatchObject({ loadedAs: 'commonjs', data: 'Hello Zookeeper', version: 0, missing: 'NONODE' });
  }, 90_000);
});

describe('a NestJS app compiled with the tsconfig nest new generates (ES2023, define class fields)', () => {
  const project = consumerProject('nest-app');

  it('compiles with tsc', async () => {
    await compile(project.dir);
  }, 180_000);

  it('reads live config, locks, runs the leader job, registers, discovers itself, unregisters on close', async () => {
    const { output } = await runApp(project.dir, 'dist/main.js');
    expect(output).toEqual({
      first: { greeting: 'hello' }, // the initial value is there for the first request
      changed: { greeting: 'bonjour' }, // a change is seen by a later request
      reserved: { reserved: true },
      refunded: { refunded: true },
      registered: 1,
      viaDiscovery: { greeting: 'bonjour' },
      leader: 'ran',
      afterClose: 0,
      resources: expect.any(Array),
    });
  }, 90_000);
});

describe('an Express 5 app using zooRegistration and discoveryProxy', () => {
  const project = consumerProject('express-app');

  it('compiles with tsc, moduleResolution nodenext, lib checks on', async () => {
    await compile(project.dir);
  }, 180_000);

  it('answers a real request through the proxy, unregisters on close, and exits by itself', async () => {
    const { output } = await runApp(project.dir, 'dist/app.js');
    expect(output).toEqual({ status: 200, body: { id: '42', servedBy: 'catalog' }, instancePort: expect.any(Number), registered: 1, afterClose: 0, resources: expect.any(Array) });
  }, 90_000);
});
