import { existsSync } from 'node:fs';
import { mkdir, open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { ZooEngine } from '@zoo/core';
import { readZooData } from './zoo-data-dir.js';
import { listZooKeeperFiles } from './zookeeper-data-dir.js';
import { writeZooKeeperSnapshot, type ZooKeeperNodeRecord } from './zookeeper-snapshot.js';

export interface ExportZooKeeperOptions {
  /** the (stopped) Zoo server's data dir */
  dataDir: string;
  dataLogDir?: string;
  /** Apache ZooKeeper's dataDir to write `version-2/snapshot.<zxid>` into; it must hold no ZooKeeper data yet */
  zkDataDir: string;
}

export interface ExportZooKeeperReport {
  written: string;
  zxid: bigint;
  nodes: number;
  sessions: number;
}

/**
 * Writes a Zoo data dir's state as one Apache ZooKeeper snapshot that ZooKeeper 3.5–3.9 starts
 * from (no log needed). Sessions go along with their timeouts, so ephemerals behave as after a
 * ZooKeeper restart. The snapshot gets its final name only once complete and synced.
 */
export async function exportZooKeeper(options: ExportZooKeeperOptions): Promise<ExportZooKeeperReport> {
  const dir = join(options.zkDataDir, 'version-2');
  if (existsSync(dir)) {
    const existing = [...(await listZooKeeperFiles(dir, 'snapshot')), ...(await listZooKeeperFiles(dir, 'log'))];
    if (existing.length > 0) throw new Error(`${dir} already holds ZooKeeper data (${existing[0].name}); export into a new or empty directory`);
  }
  const engine = await readZooData(options.dataDir, options.dataLogDir);
  const bytes = writeZooKeeperSnapshot({ sessions: sessionsOf(engine), nodes: nodesOf(engine) });
  await mkdir(dir, { recursive: true });
  const zxid = engine.lastZxid;
  const final = join(dir, `snapshot.${zxid.toString(16)}`);
  const temp = join(options.zkDataDir, `.snapshot.${zxid.toString(16)}.partial`);
  const fh = await open(temp, 'w');
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(temp, final);
  return { written: final, zxid, nodes: engine.tree.nodeCount, sessions: engine.sessions.size };
}

function sessionsOf(engine: ZooEngine): Array<{ id: bigint; timeout: number }> {
  return [...engine.sessions.sessions.values()].map((s) => ({ id: s.id, timeout: s.timeout }));
}

/** Depth-first from the root, parents before children, as ZooKeeper writes and reads them. */
function nodesOf(engine: ZooEngine): ZooKeeperNodeRecord[] {
  const out: ZooKeeperNodeRecord[] = [];
  const stack = ['/'];
  while (stack.length > 0) {
    const path = stack.pop()!;
    const node = engine.tree.get(path)!;
    out.push({
      path,
      data: node.data,
      acl: node.acl,
      czxid: node.czxid,
      mzxid: node.mzxid,
      ctime: node.ctime,
      mtime: node.mtime,
      version: node.version,
      cversion: node.childCreates,
      aversion: node.aversion,
      ephemeralOwner: node.ephemeralOwner,
      pzxid: node.pzxid,
    });
    if (node.children) for (const child of node.children) stack.push(path === '/' ? `/${child}` : `${path}/${child}`);
  }
  return out;
}
