import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { OpCode, ZooEngine, type Txn } from '@zoo/core';
import { writeZooSnapshot, assertNoZooData } from './zoo-data-dir.js';
import { listZooKeeperFiles, versionDir, type ZooKeeperFile } from './zookeeper-data-dir.js';
import { ZooKeeperFormatError } from './zookeeper-format-error.js';
import { readZooKeeperSnapshot, type ZooKeeperSnapshot } from './zookeeper-snapshot.js';
import { readZooKeeperLog } from './zookeeper-txn-log.js';

export interface ImportZooKeeperOptions {
  /** Apache ZooKeeper's dataDir (the one holding version-2, or version-2 itself). */
  zkDataDir: string;
  /** ZooKeeper's dataLogDir when its logs live apart; default zkDataDir. */
  zkDataLogDir?: string;
  /** The Zoo data dir to create; it must hold no Zoo data yet. */
  dataDir: string;
}

export interface ImportZooKeeperReport {
  /** the snapshot loaded (null: the logs were replayed from an empty tree) */
  snapshot: string | null;
  /** newer snapshots passed over, with why (a crash can leave the newest one incomplete, as ZooKeeper knows) */
  skippedSnapshots: Array<{ file: string; why: string }>;
  logs: string[];
  replayed: number;
  lastZxid: bigint;
  nodes: number;
  sessions: number;
  /** a record cut short at the end of the newest log (a crash's tail), ignored as ZooKeeper does */
  tornTail?: { file: string; offset: number };
  /** the Zoo snapshot written */
  written: string;
}

/**
 * Reads Apache ZooKeeper's on-disk state (the newest valid snapshot, then the logs after it)
 * into a new Zoo data dir, as one Zoo snapshot at ZooKeeper's last zxid. Sessions and their
 * ephemerals come along as ZooKeeper restores them: a session whose client does not come back
 * within its timeout expires and its ephemerals go. Nothing is written unless all of the
 * input reads cleanly, and the snapshot appears under its final name only when complete.
 */
export async function importZooKeeper(options: ImportZooKeeperOptions): Promise<ImportZooKeeperReport> {
  await assertNoZooData(options.dataDir);
  const snapDir = versionDir(options.zkDataDir);
  const logDir = versionDir(options.zkDataLogDir ?? options.zkDataDir);
  const snapshots = await listZooKeeperFiles(snapDir, 'snapshot');
  const logs = await listZooKeeperFiles(logDir, 'log');
  if (snapshots.length === 0 && logs.length === 0) throw new Error(`${snapDir} holds no ZooKeeper snapshot or transaction log`);

  const engine = new ZooEngine();
  const skippedSnapshots: ImportZooKeeperReport['skippedSnapshots'] = [];
  let loaded: ZooKeeperFile | null = null;
  for (const file of [...snapshots].reverse()) {
    try {
      loadSnapshot(engine, readZooKeeperSnapshot(await snapshotBytes(file), file.path), file.zxid);
      loaded = file;
      break;
    } catch (err) {
      if (!(err instanceof ZooKeeperFormatError)) throw err;
      skippedSnapshots.push({ file: file.path, why: err.message });
    }
  }
  if (!loaded && snapshots.length > 0) throw new Error(`no valid ZooKeeper snapshot: ${skippedSnapshots.map((s) => s.why).join('; ')}`);
  const snapZxid = loaded?.zxid ?? 0n;

  // the newest log starting at or before the snapshot's zxid holds the txns right after it
  let first = 0;
  for (let i = 0; i < logs.length; i++) if (logs[i].zxid <= snapZxid) first = i;
  const used = logs.slice(first);
  let last = snapZxid;
  let replayed = 0;
  let tornTail: ImportZooKeeperReport['tornTail'];
  for (let i = 0; i < used.length; i++) {
    const file = used[i];
    const scan = readZooKeeperLog(await readFile(file.path), file.path);
    if (scan.tornAt !== undefined) {
      if (i < used.length - 1) throw new ZooKeeperFormatError(file.path, scan.tornAt, 'record cut short, but later logs follow: the log is damaged');
      tornTail = { file: file.path, offset: scan.tornAt };
    }
    for (const { txn, offset } of scan.entries) {
      if (txn.zxid <= snapZxid) continue;
      if (!follows(last, txn.zxid)) {
        throw new ZooKeeperFormatError(file.path, offset, `zxid 0x${txn.zxid.toString(16)} follows 0x${last.toString(16)}: transactions are missing`);
      }
      apply(engine, txn);
      last = txn.zxid;
      replayed++;
    }
  }

  const written = await writeZooSnapshot(options.dataDir, engine);
  return {
    snapshot: loaded?.path ?? null,
    skippedSnapshots,
    logs: used.map((f) => f.path),
    replayed,
    lastZxid: engine.lastZxid,
    nodes: engine.tree.nodeCount,
    sessions: engine.sessions.size,
    tornTail,
    written,
  };
}

/** The next zxid of the same epoch, or the start of a later epoch (a leader change in an ensemble). */
function follows(prev: bigint, next: bigint): boolean {
  return next === prev + 1n || next >> 32n > prev >> 32n;
}

async function snapshotBytes(file: ZooKeeperFile): Promise<Buffer> {
  const raw = await readFile(file.path);
  if (file.name.endsWith('.snappy')) throw new ZooKeeperFormatError(file.path, 0, 'snappy-compressed snapshots are not supported; restart ZooKeeper with snapshot.compression.method=gz or none, or remove this file');
  if (!file.name.endsWith('.gz')) return raw;
  try {
    return gunzipSync(raw);
  } catch (err) {
    throw new ZooKeeperFormatError(file.path, 0, `gzip: ${(err as Error).message}`);
  }
}

/** Puts ZooKeeper's nodes and sessions into a fresh engine, stats exactly as stored. */
function loadSnapshot(engine: ZooEngine, snap: ZooKeeperSnapshot, zxid: bigint): void {
  const tree = engine.tree;
  for (const n of snap.nodes) {
    const existing = tree.get(n.path);
    // the built-in nodes (/, /zookeeper, quota, config) are already there
    if (existing) tree.setData(n.path, n.data, n.version, n.mzxid, n.mtime);
    else tree.create(n.path, n.data, n.acl, n.ephemeralOwner, n.czxid, n.ctime, 0);
  }
  // stats last: a create moves its parent's pzxid and create counter
  for (const n of snap.nodes) {
    const node = tree.get(n.path)!;
    node.acl = tree.internACL(n.acl);
    node.czxid = n.czxid;
    node.mzxid = n.mzxid;
    node.pzxid = n.pzxid;
    node.ctime = n.ctime;
    node.mtime = n.mtime;
    node.version = n.version;
    node.childCreates = n.cversion;
    node.aversion = n.aversion;
  }
  for (const s of snap.sessions) engine.sessions.add(s.id, s.timeout);
  // the snapshot's zxid is the file name's; a no-op txn carries the engine there
  engine.applyTxn({ zxid, time: 0, sessionId: 0n, body: { type: OpCode.error, err: 0 } });
}

function apply(engine: ZooEngine, txn: Txn): void {
  if (txn.body.type === OpCode.closeSession) txn.body.paths = [...(engine.tree.ephemerals.get(txn.sessionId) ?? [])];
  engine.applyTxn(txn);
}
