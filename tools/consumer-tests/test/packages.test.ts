import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { packDryRun, publishablePackages, repoRoot, run, type PackedPackage } from '../src/index.js';

// What each @zoo package would upload to npm, checked from `npm pack` itself: the built files
// its manifest points at, README and LICENSE, the metadata npm shows, and nothing else.
const packages = publishablePackages();
const versions = new Map(packages.map((p) => [p.name, p.version]));
const license = readFileSync(join(repoRoot, 'LICENSE'), 'utf8');

/** Every file a manifest field points at (exports conditions, main/module/types, bins). */
function referencedFiles(manifest: Record<string, unknown>): string[] {
  const targets: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') targets.push(value);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(manifest.exports);
  walk(manifest.bin);
  for (const field of ['main', 'module', 'types']) walk(manifest[field]);
  return [...new Set(targets.map((t) => t.replace(/^\.\//, '')))];
}

describe('the packages as npm would publish them', () => {
  let packed: Map<string, PackedPackage>;
  beforeAll(async () => {
    packed = new Map((await packDryRun(packages)).map((p) => [p.name, p]));
  }, 60_000);

  it('covers every package under packages/, all released together by changesets', () => {
    const names = packages.map((p) => p.name).sort();
    expect(names.length).toBeGreaterThanOrEqual(10);
    expect([...packed.keys()].sort()).toEqual(names);
    // a new package must join the fixed group, or it would be versioned on its own
    const changesets = JSON.parse(readFileSync(join(repoRoot, '.changeset', 'config.json'), 'utf8')) as { fixed: string[][]; access: string };
    expect(changesets.fixed.map((group) => [...group].sort())).toEqual([names]);
    expect(changesets.access).toBe('public');
  });

  describe.each(packages)('$name', (pkg) => {
    const m = pkg.manifest;
    const dir = relative(repoRoot, pkg.dir);

    it('has the metadata npm shows and needs to publish it publicly', () => {
      expect(m.description).toEqual(expect.stringMatching(/\w{3,}.{20,}/));
      expect(m.license).toBe('MIT');
      expect(m.keywords).toEqual(expect.arrayContaining(['zookeeper']));
      expect(m.repository).toEqual({ type: 'git', url: expect.stringMatching(/^git\+https:\/\/.+\.git$/), directory: dir });
      expect(m.homepage).toEqual(expect.stringMatching(new RegExp(`^https://.+/${dir}#readme$`)));
      expect(m.bugs).toEqual({ url: expect.stringMatching(/^https:\/\/.+\/issues$/) });
      expect(m.publishConfig).toEqual({ access: 'public' });
      expect(m.engines).toEqual({ node: expect.stringMatching(/^>=20/) });
      expect(m.private).toBeUndefined();
    });

    it('depends on other @zoo packages by a ^ range of their current version, never a workspace-only spec', () => {
      const deps = { ...(m.dependencies as Record<string, string>), ...(m.peerDependencies as Record<string, string> | undefined) };
      for (const [name, range] of Object.entries(deps)) {
        if (!name.startsWith('@zoo/')) continue;
        expect(versions.has(name), `${name} is not a published package`).toBe(true);
        expect(range, `${pkg.name} → ${name}`).toBe(`^${versions.get(name)}`);
      }
    });

    it('packs its built files, README and LICENSE, and no sources or tests', () => {
      const files = packed.get(pkg.name)!.files.map((f) => f.path);
      expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE', ...referencedFiles(m)]));
      for (const f of files) {
        expect(f, `${pkg.name} ships ${f}`).toMatch(/^(package\.json|README\.md|LICENSE|CHANGELOG\.md|dist\/[\w.-]+\.(js|cjs|d\.ts|d\.cts|map)|bin\/[\w.-]+\.js)$/);
        expect(f).not.toMatch(/\.test\.|\.spec\./);
      }
      expect(readFileSync(join(pkg.dir, 'LICENSE'), 'utf8')).toBe(license);
    });

    it('has a README named for it, with an example when it exports anything', () => {
      const readme = readFileSync(join(pkg.dir, 'README.md'), 'utf8');
      expect(readme.startsWith(`# ${pkg.name}\n`)).toBe(true);
      const exportsSomething = /export \{ ?[A-Za-z]/.test(readFileSync(join(pkg.dir, 'dist', 'index.d.ts'), 'utf8'));
      if (exportsSomething) expect(readme).toMatch(/```(ts|sh)\n[\s\S]+?\n```/);
    });

    it('has bins that run with node from the tarball', () => {
      for (const target of Object.values((m.bin as Record<string, string> | undefined) ?? {})) {
        expect(readFileSync(join(pkg.dir, target), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
      }
    });
  });

  it('passes npm publish --dry-run for every package', async () => {
    const result = await run('npm', ['publish', '--dry-run', '--json', ...packages.flatMap((p) => ['--workspace', p.name])], { cwd: repoRoot, timeoutMs: 120_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/npm error/);
    // npm rewrites (and warns about) bin paths it does not like: the manifests must need none
    expect(result.stderr).not.toMatch(/auto-corrected/);
    const published = JSON.parse(result.stdout) as Record<string, { version: string }>;
    expect(Object.fromEntries(Object.entries(published).map(([name, p]) => [name, p.version]))).toEqual(Object.fromEntries(versions));
  }, 120_000);
});
