import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const OUTPUT = fileURLToPath(new URL('../test-output/', import.meta.url));
export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

/**
 * True when the system Chromium is there. Without it a developer machine gets a loud warning
 * and the suite skips; under CI=true it is a failure (CI installs Debian's chromium).
 */
export function requireChromium(suite: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  const message = `browser suite "${suite}" needs ${CHROMIUM} (apt-get install chromium)`;
  if (process.env.CI === 'true') throw new Error(`${message} (CI=true: this is a failure, not a skip)`);
  console.warn(`\n${'!'.repeat(78)}\n!! SKIPPING ${message}\n${'!'.repeat(78)}\n`);
  return false;
}

export async function launchChromium(): Promise<Browser> {
  mkdirSync(OUTPUT, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** The built `zoo-dashboard` bin in its own process; resolves with its URL once it prints it. */
export async function startDashboardProcess(args: string[], env: Record<string, string> = {}, bin = BIN): Promise<{ url: string; child: ChildProcess; output: () => string; stop(): Promise<void> }> {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: build the dashboard first (npx nx run @zoo/dashboard:build)`);
  const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the dashboard printed no URL in 20 s:\n${out}`)), 20_000);
    const look = () => {
      const m = /dashboard on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', look);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the dashboard exited (${code}) before serving:\n${out}`));
    });
  });
  return {
    url,
    child,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
