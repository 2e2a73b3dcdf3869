import { spawn } from 'node:child_process';
import type { ZooSession } from '@zoo/client';
import { LeaderLatch } from './leader-latch.js';
import { Mutex } from './mutex.js';

export interface RunOptions {
  timeoutMs?: number;
  /** Where the child's output goes; default: inherited. */
  stdio?: 'inherit' | 'pipe' | 'ignore';
  onStart?: () => void;
}

/**
 * Runs a command while holding the mutex at `path` (like flock): resolves with the command's
 * exit code. If the lock is lost (session expiry) the command is sent SIGTERM. The logic
 * behind `zoo lock <path> -- <command...>`.
 */
export async function runWithLock(session: ZooSession, path: string, command: string, args: string[], options: RunOptions = {}): Promise<number> {
  return new Mutex(session, path).withLock((lease) => runChild(command, args, options, lease.signal), { timeoutMs: options.timeoutMs });
}

/** Runs a command while this process is the elected leader of `path` (`zoo leader`). */
export async function runAsElected(session: ZooSession, path: string, command: string, args: string[], options: RunOptions = {}): Promise<number> {
  const latch = new LeaderLatch(session, path);
  await latch.start();
  try {
    await latch.elected({ signal: options.timeoutMs ? AbortSignal.timeout(options.timeoutMs) : undefined });
    const lost = new AbortController();
    latch.once('notLeader', () => lost.abort(new Error('leadership lost')));
    return await runChild(command, args, options, lost.signal);
  } finally {
    await latch.close();
  }
}

function runChild(command: string, args: string[], options: RunOptions, signal: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: options.stdio ?? 'inherit' });
    options.onStart?.();
    const onLost = () => child.kill('SIGTERM');
    signal.addEventListener('abort', onLost, { once: true });
    child.once('error', reject);
    child.once('exit', (code, sig) => {
      signal.removeEventListener('abort', onLost);
      resolve(code ?? (sig ? 128 + (sig === 'SIGTERM' ? 15 : 9) : 1));
    });
  });
}
