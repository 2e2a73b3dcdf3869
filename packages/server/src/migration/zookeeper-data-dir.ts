import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** ZooKeeper keeps its files in `<dataDir>/version-2`; accept either directory. */
export function versionDir(dir: string): string {
  return existsSync(join(dir, 'version-2')) ? join(dir, 'version-2') : dir;
}

export interface ZooKeeperFile {
  name: string;
  path: string;
  zxid: bigint;
}

/** `snapshot.<hex>[.gz|.snappy]` or `log.<hex>` files of a version-2 dir, oldest first. */
export async function listZooKeeperFiles(dir: string, kind: 'snapshot' | 'log'): Promise<ZooKeeperFile[]> {
  const pattern = kind === 'log' ? /^log\.([0-9a-f]+)$/ : /^snapshot\.([0-9a-f]+)(\.gz|\.snappy)?$/;
  const out: ZooKeeperFile[] = [];
  for (const name of await readdir(dir)) {
    const m = pattern.exec(name);
    if (m) out.push({ name, path: join(dir, name), zxid: BigInt(`0x${m[1]}`) });
  }
  return out.sort((a, b) => (a.zxid < b.zxid ? -1 : a.zxid > b.zxid ? 1 : 0));
}
