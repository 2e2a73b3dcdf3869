import { join } from 'node:path';
import { repoRoot, type WorkspacePackage } from './repo.js';
import { runOrThrow } from './run.js';

export interface PackedPackage {
  name: string;
  version: string;
  /** the tarball's file name; with packInto() the file is in the destination folder */
  filename: string;
  files: { path: string; size: number; mode: number }[];
}

const workspaceFlags = (packages: WorkspacePackage[]) => packages.flatMap((p) => ['--workspace', p.name]);

/** What `npm pack` puts in each package's tarball, without writing it. */
export async function packDryRun(packages: WorkspacePackage[]): Promise<PackedPackage[]> {
  const { stdout } = await runOrThrow('npm', ['pack', '--dry-run', '--json', '--ignore-scripts', ...workspaceFlags(packages)], { cwd: repoRoot });
  return JSON.parse(stdout) as PackedPackage[];
}

/** Packs each package into `dir`, as `npm publish` would upload it: name → tarball path. */
export async function packInto(dir: string, packages: WorkspacePackage[]): Promise<Map<string, string>> {
  const { stdout } = await runOrThrow('npm', ['pack', '--json', '--pack-destination', dir, ...workspaceFlags(packages)], { cwd: repoRoot });
  const packed = JSON.parse(stdout) as PackedPackage[];
  return new Map(packed.map((p) => [p.name, join(dir, p.filename)]));
}
