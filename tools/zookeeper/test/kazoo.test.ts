import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireKazoo, runKazoo } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'zoo-kazoo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, body);
  return file;
}

describe.runIf(requireKazoo('tools/zookeeper kazoo runner'))('runKazoo', () => {
  it('runs a script with the interpreter that has kazoo, with its arguments, output and exit code', async () => {
    const file = script('ok.py', 'import sys, kazoo.client\nprint("args", sys.argv[1:])\nsys.stderr.write("to stderr\\n")\nsys.exit(3)\n');
    const run = await runKazoo(file, ['a', 'b c']);
    expect(run).toEqual({ code: 3, signal: null, stdout: "args ['a', 'b c']\n", stderr: 'to stderr\n', timedOut: false });
  });

  it('kills a script that runs past its time', async () => {
    const file = script('hang.py', 'import time\nprint("started", flush=True)\ntime.sleep(600)\n');
    const started = Date.now();
    const run = await runKazoo(file, [], { timeoutMs: 1_000 });
    expect(run.timedOut).toBe(true);
    expect(run.code).toBeNull();
    expect(run.signal).toBe('SIGKILL');
    expect(run.stdout).toBe('started\n');
    expect(Date.now() - started).toBeLessThan(25_000);
  });
});
