import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

export interface WorkspacePackage {
  name: string;
  version: string;
  dir: string;
  manifest: Record<string, unknown>;
}

/** Every package under packages/ that is not private: what a user can install from npm. */
export function publishablePackages(): WorkspacePackage[] {
  const dir = join(repoRoot, 'packages');
  return readdirSync(dir)
    .sort()
    .map((name) => {
      const manifest = JSON.parse(readFileSync(join(dir, name, 'package.json'), 'utf8')) as Record<string, unknown>;
      return { name: manifest.name as string, version: manifest.version as string, dir: join(dir, name), manifest };
    })
    .filter((p) => p.manifest.private !== true);
}
