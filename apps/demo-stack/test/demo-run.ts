import { spawn, type ChildProcess } from 'node:child_process';

/** A row of the table `npm start` prints: a service, where it serves, its pid. */
export interface Row {
  url: string;
  /** None for an ensemble the demo did not start. */
  pid?: number;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Whether a process is still there (a zombie of ours counts as gone once reaped). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs one printed command line as a user's shell would, from `cwd`. */
export function runPrinted(line: string, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', line], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr: `${line}\n${stderr}` }));
  });
}

/**
 * A command run in its own process group, as a terminal runs it, with its output collected:
 * `signal()` reaches the whole group like Ctrl-C does, `kill()` makes sure nothing is left.
 */
export class DemoRun {
  output = '';
  readonly exited: Promise<Exit>;
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly child: ChildProcess) {
    const collect = (d: Buffer) => {
      this.output += d.toString();
      for (const w of this.waiters) w();
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    this.exited = new Promise((resolve) =>
      child.once('close', (code, signal) => {
        resolve({ code, signal });
        for (const w of this.waiters) w();
      }),
    );
  }

  static start(command: string, args: string[], options: { cwd: string; env: Record<string, string> }): DemoRun {
    return new DemoRun(spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] }));
  }

  get pid(): number {
    return this.child.pid!;
  }

  private get done(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Resolves with the first match of `pattern` in the output; fails on timeout or exit, showing the output. */
  waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const m = this.output.match(pattern);
        if (m) return finish(() => resolve(m));
        if (this.done) finish(() => reject(new Error(`exited before printing ${pattern}; output:\n${this.output}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms; output:\n${this.output}`))), timeoutMs);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        settle();
      };
      this.waiters.add(check);
      check();
    });
  }

  /** The service table `npm start` prints: name → url and pid. */
  table(): Map<string, Row> {
    const head = this.output.slice(0, this.output.indexOf('Try ('));
    const rows = new Map<string, Row>();
    for (const m of head.matchAll(/^ {2}(Zoo server|\S+)\s+(\S+)\s.*pid (\d+|-)$/gm)) rows.set(m[1], { url: m[2], pid: m[3] === '-' ? undefined : Number(m[3]) });
    return rows;
  }

  /** The one printed command matching `pattern` (with or without its `# comment`), without the comment. */
  printed(pattern: RegExp): string {
    const tail = this.output.slice(this.output.indexOf('Try ('));
    const lines = tail
      .split('\n')
      .slice(1)
      .map((l) => l.trim())
      .filter((l) => pattern.test(l) || pattern.test(l.replace(/\s+#\s.*$/, '')))
      .map((l) => l.replace(/\s+#\s.*$/, ''));
    if (lines.length !== 1) throw new Error(`expected one printed command matching ${pattern}, found ${lines.length} in:\n${tail}`);
    return lines[0];
  }

  /** Sends `signal` to the whole process group, as a terminal's Ctrl-C does. */
  async signal(signal: NodeJS.Signals): Promise<void> {
    if (!this.done) process.kill(-this.pid, signal);
  }

  /** SIGTERM to the group, SIGKILL after 15 s, then SIGKILL to any pid it printed that is still there. */
  async kill(): Promise<void> {
    if (!this.done) {
      process.kill(-this.pid, 'SIGTERM');
      const timer = setTimeout(() => !this.done && process.kill(-this.pid, 'SIGKILL'), 15_000);
      await this.exited;
      clearTimeout(timer);
    }
    for (const m of this.output.matchAll(/pid (\d+)/g)) {
      const pid = Number(m[1]);
      if (pid !== this.pid && isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
  }
}
