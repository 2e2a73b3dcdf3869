import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, readmeCodeBlock, repoRoot, run, runOrThrow } from '../src/index.js';

// The README, followed by a new user on a fresh clone of the committed HEAD: `npm ci`, the
// build, then the Example section saved to a file and run with node.
describe('the README on a fresh clone', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zoo-clone-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('installs with npm ci, builds, and runs the README example, which exits by itself', async () => {
    const env = cleanEnv();
    const head = (await runOrThrow('git', ['rev-parse', 'HEAD'], { cwd: repoRoot })).stdout.trim();
    const clone = join(dir, 'zoo');
    await runOrThrow('git', ['clone', '--quiet', '--no-checkout', repoRoot, clone], { cwd: dir, env });
    await runOrThrow('git', ['checkout', '--quiet', '--detach', head], { cwd: clone, env });
    await runOrThrow('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: clone, env, timeoutMs: 600_000 });
    await runOrThrow('npm', ['run', 'build', '--silent'], { cwd: clone, env, timeoutMs: 600_000 });

    // the example as the README of the clone shows it, in a file at the root as a user would save it
    const example = readmeCodeBlock(join(clone, 'README.md'), 'Example');
    writeFileSync(join(clone, 'example.mjs'), example);
    const result = await run(process.execPath, ['example.mjs'], { cwd: clone, env, timeoutMs: 60_000 });

    expect(result.killed, `the example did not exit by itself\n${result.stdout}\n${result.stderr}`).toBe(false);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('Hello Zookeeper 0\n');
  }, 1_200_000);
});
