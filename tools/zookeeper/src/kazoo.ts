import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Availability } from './java.js';

/** The interpreter Debian's python3-kazoo is installed for (a pyenv `python3` on PATH may lack it). */
export const KAZOO_PYTHON = '/usr/bin/python3';

let cached: Availability | undefined;

/** Is the Python ZooKeeper client kazoo importable by {@link KAZOO_PYTHON}? */
export function kazooAvailability(): Availability {
  if (cached) return cached;
  if (!existsSync(KAZOO_PYTHON)) return (cached = { available: false, reason: `${KAZOO_PYTHON} not found (apt-get install python3-kazoo)` });
  try {
    execFileSync(KAZOO_PYTHON, ['-c', 'import kazoo'], { stdio: 'ignore', timeout: 30_000 });
  } catch {
    return (cached = { available: false, reason: `${KAZOO_PYTHON} cannot import kazoo (apt-get install python3-kazoo)` });
  }
  return (cached = { available: true, reason: 'ok' });
}

/**
 * For kazoo interop suites, like requireZooKeeper: true when kazoo is there. Without it a
 * developer machine gets a loud warning and the suite skips; under CI=true it is an error.
 */
export function requireKazoo(suite: string): boolean {
  const { available, reason } = kazooAvailability();
  if (available) return true;
  const message = `interop suite "${suite}" needs kazoo: ${reason}`;
  if (process.env.CI === 'true') throw new Error(`${message} (CI=true: this is a failure, not a skip)`);
  console.warn(`\n${'!'.repeat(78)}\n!! SKIPPING ${message}\n${'!'.repeat(78)}\n`);
  return false;
}

export interface KazooRun {
  /** the exit code, or null when the script was killed */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface KazooRunOptions {
  /** the script is killed (SIGKILL) after this many ms; default 120 s */
  timeoutMs?: number;
}

/**
 * Runs a Python script with {@link KAZOO_PYTHON} and resolves when it ends, with its output and
 * exit code. Never rejects for the script's own failure and never hangs: past `timeoutMs` the
 * script is killed and the result says `timedOut`.
 */
export function runKazoo(script: string, args: string[] = [], options: KazooRunOptions = {}): Promise<KazooRun> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  return new Promise((resolve) => {
    const child = spawn(KAZOO_PYTHON, ['-u', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    let done = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null, extra = '') => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr: stderr + extra, timedOut });
    };
    child.once('error', (err) => finish(null, null, `\n${String(err)}`));
    child.once('close', (code, signal) => finish(code, signal));
  });
}
