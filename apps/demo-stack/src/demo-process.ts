import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Role } from './roles.js';
import type { ReadyMessage } from './service-process.js';

/** The built entry every demo process runs (from src/ under a test as well as from dist/). */
export const SERVICE_MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/** A demo service running in its own Node process. */
export interface DemoProcess {
  role: Role;
  name: string;
  pid: number;
  /** http://... for services, host:port for the Zoo server. */
  url: string;
  admin?: string;
  child: ChildProcess;
  /** Settles when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Forks `main.js <role> ...args` and resolves once it serves. The child gets its own process
 * group, so a terminal's Ctrl-C reaches only the supervisor, which stops the services before
 * the server (each unregisters while the server is still there to hear it).
 */
export function forkService(role: Role, args: string[], readyTimeoutMs = 60_000): Promise<DemoProcess> {
  const child = fork(SERVICE_MAIN, [role, ...args], { detached: true, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return new Promise<DemoProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${role} did not start within ${readyTimeoutMs / 1000} s`));
    }, readyTimeoutMs);
    child.once('message', (m: ReadyMessage) => {
      clearTimeout(timer);
      resolve({ role, name: m.name, pid: m.pid, url: m.url, admin: m.admin, child, exited });
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${role} exited (${signal ?? `code ${code}`}) before it served`));
    });
  });
}

/** SIGTERM, then SIGKILL if it has not exited after graceMs. */
export async function stopProcess(p: DemoProcess, graceMs = 10_000): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  await p.exited;
  clearTimeout(timer);
}
