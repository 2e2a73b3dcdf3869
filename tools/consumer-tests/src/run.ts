import { spawn } from 'node:child_process';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** true when the process outlived `timeoutMs` and had to be killed */
  killed: boolean;
}

export interface RunOptions {
  cwd: string;
  /** the whole environment (default: this process's) */
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
}

/**
 * Runs a command to its end and collects its output. It never rejects on a non-zero exit: the
 * test asserts the code, and a process that does not exit in time is killed and reported so.
 */
export function run(command: string, args: string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      // no input: stdin is closed, as under CI (and nothing writes to a pipe the child never reads)
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 120_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, killed });
    });
    if (options.input !== undefined) child.stdin!.end(options.input);
  });
}

/** Like run(), but throws with the output when the command fails: for setup steps. */
export async function runOrThrow(command: string, args: string[], options: RunOptions): Promise<RunResult> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} (in ${options.cwd}) ended with ${result.killed ? 'a kill after the timeout' : `code ${result.code}`}\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result;
}
