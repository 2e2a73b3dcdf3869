import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, publishablePackages, readmeCodeBlock, repoRoot, run, runOrThrow } from '../src/index.js';

// A new user's (and a releaser's) first steps on a fresh clone of the committed HEAD:
// `npm ci` and the build, then the README's example saved to a file and run with node, then
// the release tooling's version step.
describe('a fresh clone', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zoo-clone-'));
  const clone = join(dir, 'zoo');
  const env = cleanEnv();
  afterAll(() => rm(dir, { recursive: true, force: true }), 300_000); // a whole node_modules: slow on a busy disk

  beforeAll(async () => {
    const head = (await runOrThrow('git', ['rev-parse', 'HEAD'], { cwd: repoRoot })).stdout.trim();
    await runOrThrow('git', ['clone', '--quiet', '--no-checkout', repoRoot, clone], { cwd: dir, env });
    await runOrThrow('git', ['checkout', '--quiet', '--detach', head], { cwd: clone, env });
    await runOrThrow('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: clone, env, timeoutMs: 600_000 });
    await runOrThrow('npm', ['run', 'build', '--silent'], { cwd: clone, env, timeoutMs: 600_000 });
  }, 1_200_000);

  it('runs the README example after npm ci and the build, and the example exits by itself', async () => {
    // the example as the clone's README shows it, saved at the root as a user would
    const example = readmeCodeBlock(join(clone, 'README.md'), 'Example');
    writeFileSync(join(clone, 'example.mjs'), example);
    const result = await run(process.execPath, ['example.mjs'], { cwd: clone, env, timeoutMs: 60_000 });

    expect(result.killed, `the example did not exit by itself\n${result.stdout}\n${result.stderr}`).toBe(false);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('Hello Zookeeper 0\n');
  }, 120_000);

  it('versions every @zoo package together with npm run version-packages: ranges, CHANGELOGs, lockfile', async () => {
    const read = (path: string) => JSON.parse(readFileSync(join(clone, path), 'utf8')) as Record<string, never>;
    const published = publishablePackages().map((p) => relative(repoRoot, p.dir));
    const before = read(`${published[0]}/package.json`).version as string;
    const privateBefore = read('tools/zookeeper/package.json').version as string;
    // a pending changeset, as `npx changeset` writes it
    writeFileSync(join(clone, '.changeset', 'release-check.md'), "---\n'@zoo/core': patch\n---\n\nA change that checks the release tooling.\n");

    await runOrThrow('npm', ['run', 'version-packages'], { cwd: clone, env, timeoutMs: 300_000 });

    const after = read(`${published[0]}/package.json`).version as string;
    const [a, b] = [before, after].map((v) => v.split('.').map(Number));
    expect(b[0] * 1e6 + b[1] * 1e3 + b[2], `${before} → ${after}`).toBeGreaterThan(a[0] * 1e6 + a[1] * 1e3 + a[2]);
    const lock = read('package-lock.json') as unknown as { packages: Record<string, { version: string; dependencies?: Record<string, string> }> };
    for (const dir of published) {
      const manifest = read(`${dir}/package.json`) as unknown as { name: string; version: string; dependencies?: Record<string, string> };
      expect(manifest.version, manifest.name).toBe(after); // one version for the fixed group
      for (const [dep, range] of Object.entries(manifest.dependencies ?? {})) if (dep.startsWith('@zoo/')) expect(range, `${manifest.name} → ${dep}`).toBe(`^${after}`);
      expect(readFileSync(join(clone, dir, 'CHANGELOG.md'), 'utf8')).toContain(`## ${after}\n`);
      expect(lock.packages[dir].version, `package-lock.json ${dir}`).toBe(after);
      expect(lock.packages[dir].dependencies ?? {}).toEqual(manifest.dependencies ?? {});
    }
    expect(readFileSync(join(clone, 'packages/core/CHANGELOG.md'), 'utf8')).toContain('A change that checks the release tooling.');
    expect(read('tools/zookeeper/package.json').version).toBe(privateBefore); // private packages are not versioned
    expect(readdirSync(join(clone, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md')).toEqual([]);
  }, 360_000);
});
