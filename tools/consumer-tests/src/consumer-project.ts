import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkspacePackage } from './repo.js';
import { runOrThrow, type RunOptions } from './run.js';

/**
 * The environment of a command run in a consumer project: npm's own variables from the outer
 * `npm test` (workspace, prefix, ...) would make npm treat the project as part of the monorepo.
 */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return env;
}

/** Every @zoo package `names` need at run time, themselves included. */
function zooClosure(names: string[], packages: Map<string, WorkspacePackage>): string[] {
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    const pkg = packages.get(name);
    if (!pkg) throw new Error(`${name} is not a publishable @zoo package`);
    seen.add(name);
    for (const dep of Object.keys((pkg.manifest.dependencies as Record<string, string> | undefined) ?? {})) if (dep.startsWith('@zoo/')) visit(dep);
  };
  names.forEach(visit);
  return [...seen].sort();
}

/**
 * Copies a fixture project (tools/consumer-tests/fixtures/<name>) to `dir`, points its @zoo
 * dependencies — and, through overrides, theirs — at the packed tarballs (the @zoo packages
 * are not on the registry yet), and installs it like a user would: no workspace, no links.
 */
export async function installConsumerProject(
  fixture: string,
  dir: string,
  tarballs: Map<string, string>,
  packages: WorkspacePackage[],
): Promise<void> {
  cpSync(fixture, dir, { recursive: true });
  const manifestPath = join(dir, 'package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { dependencies?: Record<string, string>; overrides?: Record<string, string> };
  const direct = Object.keys(manifest.dependencies ?? {}).filter((n) => n.startsWith('@zoo/'));
  const spec = (name: string) => {
    const tarball = tarballs.get(name);
    if (!tarball) throw new Error(`no tarball for ${name}`);
    return `file:${tarball}`;
  };
  manifest.overrides = {};
  for (const name of zooClosure(direct, new Map(packages.map((p) => [p.name, p])))) manifest.overrides[name] = spec(name);
  for (const name of direct) manifest.dependencies![name] = spec(name);
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  await runOrThrow('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: dir, env: cleanEnv(), timeoutMs: 300_000 });
}

/** Runs the project's own TypeScript compiler (`tsc -p .`): types must resolve from the installed tarballs. */
export function compile(dir: string, args: string[] = [], options: Partial<RunOptions> = {}) {
  return runOrThrow(process.execPath, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.', ...args], { cwd: dir, env: cleanEnv(), timeoutMs: 180_000, ...options });
}
