import { JuteReader, JuteWriter, OPEN_ACL_UNSAFE, type ACL } from '@zoo/core';
import { adler32 } from './adler32.js';
import { ZooKeeperFormatError } from './zookeeper-format-error.js';

/**
 * Apache ZooKeeper's snapshot file (`version-2/snapshot.<zxid hex>`, FileSnap, 3.5–3.9), Jute:
 *   FileHeader { int magic 'ZKSN'; int version 2; long dbid }
 *   int sessionCount; { long id; int timeout } × sessionCount
 *   ACL cache: int count; { long key; vector<ACL> } × count
 *   nodes, depth-first, parents first, the root's path being "":
 *     { ustring path; buffer data; long aclKey (-1 = world:anyone ALL);
 *       StatPersisted { long czxid, mzxid, ctime, mtime; int version, cversion, aversion;
 *                       long ephemeralOwner, pzxid } }
 *   ustring "/" (end of the tree)
 *   long adler32 of every byte before it; ustring "/"
 *   optionally (3.6+) a ZxidDigest and (3.9) the last processed zxid, each sealed the same way.
 * The zxid is the file name's: the snapshot is fuzzy and holds every txn up to it.
 * ZooKeeper's stored cversion counts child creates, as Zoo's `childCreates` does.
 */
export const SNAPSHOT_MAGIC = 0x5a4b534e; // 'ZKSN'
const FILE_VERSION = 2;
const OPEN_ACL_KEY = -1n;

export interface ZooKeeperNodeRecord {
  path: string;
  data: Buffer | null;
  acl: readonly ACL[];
  czxid: bigint;
  mzxid: bigint;
  ctime: number;
  mtime: number;
  version: number;
  /** the stored cversion: child creates ever */
  cversion: number;
  aversion: number;
  /** internal owner: session id, container or TTL marker */
  ephemeralOwner: bigint;
  pzxid: bigint;
}

export interface ZooKeeperSnapshot {
  sessions: Array<{ id: bigint; timeout: number }>;
  /** parents before children; the root as "/" */
  nodes: ZooKeeperNodeRecord[];
}

/** Reads a snapshot; any damage is a ZooKeeperFormatError naming `file` and the offset. */
export function readZooKeeperSnapshot(buf: Buffer, file: string): ZooKeeperSnapshot {
  const r = new JuteReader(buf);
  const fail = (reason: string, at = r.offset): never => {
    throw new ZooKeeperFormatError(file, at, reason);
  };
  try {
    const magic = r.readInt();
    if (magic !== SNAPSHOT_MAGIC) fail(`not a ZooKeeper snapshot (magic 0x${(magic >>> 0).toString(16)})`, 0);
    const version = r.readInt();
    if (version !== FILE_VERSION) fail(`unsupported snapshot version ${version}`, 4);
    r.readLong(); // dbid
    const sessionCount = r.readCount('sessions', 12);
    const sessions: ZooKeeperSnapshot['sessions'] = [];
    for (let i = 0; i < sessionCount; i++) sessions.push({ id: r.readLong(), timeout: r.readInt() });
    const aclCount = r.readCount('ACL cache', 12);
    const acls = new Map<bigint, readonly ACL[]>();
    for (let i = 0; i < aclCount; i++) {
      const key = r.readLong();
      const list = r.readACLs();
      if (list === null) fail(`ACL cache entry ${key} has no list`);
      acls.set(key, list!);
    }
    const nodes: ZooKeeperNodeRecord[] = [];
    const seen = new Set<string>();
    for (;;) {
      const at = r.offset;
      const raw = r.readString();
      if (raw === null) fail('null node path');
      if (raw === '/') break;
      const path = raw === '' ? '/' : raw!;
      const data = r.readBuffer();
      const key = r.readLong();
      const acl = key === OPEN_ACL_KEY ? OPEN_ACL_UNSAFE : acls.get(key);
      if (!acl) fail(`node ${path} refers to ACL ${key}, which the ACL cache does not hold`, at);
      if (path !== '/') {
        const slash = path.lastIndexOf('/');
        const parent = slash === 0 ? '/' : path.slice(0, slash);
        if (!seen.has(parent)) fail(`node ${path} comes before its parent ${parent}`, at);
      } else if (nodes.length > 0) fail('the root is not the first node', at);
      seen.add(path);
      nodes.push({
        path,
        data: data && Buffer.from(data),
        acl: acl!,
        czxid: r.readLong(),
        mzxid: r.readLong(),
        ctime: Number(r.readLong()),
        mtime: Number(r.readLong()),
        version: r.readInt(),
        cversion: r.readInt(),
        aversion: r.readInt(),
        ephemeralOwner: r.readLong(),
        pzxid: r.readLong(),
      });
    }
    if (nodes.length === 0) fail('the snapshot holds no root node');
    const sealAt = r.offset;
    const expected = adler32(buf.subarray(0, sealAt));
    const stored = Number(BigInt.asUintN(32, r.readLong()));
    if (stored !== expected) fail(`checksum mismatch (stored ${stored.toString(16)}, computed ${expected.toString(16)})`, sealAt);
    if (r.readString() !== '/') fail('no end marker after the checksum', sealAt + 8);
    return { sessions, nodes };
  } catch (err) {
    if (err instanceof ZooKeeperFormatError) throw err;
    throw new ZooKeeperFormatError(file, r.offset, `truncated or damaged (${(err as Error).message})`);
  }
}

/** Writes a snapshot ZooKeeper 3.5–3.9 loads; `nodes` parents first, the root as "/". */
export function writeZooKeeperSnapshot(snapshot: ZooKeeperSnapshot): Buffer {
  const w = new JuteWriter(1 << 16);
  w.writeInt(SNAPSHOT_MAGIC);
  w.writeInt(FILE_VERSION);
  w.writeLong(0n);
  w.writeInt(snapshot.sessions.length);
  for (const s of snapshot.sessions) {
    w.writeLong(s.id);
    w.writeInt(s.timeout);
  }
  const keys = new Map<readonly ACL[], bigint>();
  for (const node of snapshot.nodes) if (!keys.has(node.acl)) keys.set(node.acl, BigInt(keys.size + 1));
  w.writeInt(keys.size);
  for (const [acl, key] of keys) {
    w.writeLong(key);
    w.writeACLs(acl);
  }
  for (const node of snapshot.nodes) {
    w.writeString(node.path === '/' ? '' : node.path);
    w.writeBuffer(node.data);
    w.writeLong(keys.get(node.acl)!);
    w.writeLong(node.czxid);
    w.writeLong(node.mzxid);
    w.writeLong(BigInt(node.ctime));
    w.writeLong(BigInt(node.mtime));
    w.writeInt(node.version);
    w.writeInt(node.cversion);
    w.writeInt(node.aversion);
    w.writeLong(node.ephemeralOwner);
    w.writeLong(node.pzxid);
  }
  w.writeString('/');
  w.writeLong(BigInt(adler32(w.toBuffer())));
  w.writeString('/');
  return w.toBuffer();
}
