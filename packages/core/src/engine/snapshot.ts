import { JuteDecodeError } from '../protocol/decode-error.js';
import { JuteReader } from '../protocol/jute-reader.js';
import { JuteWriter } from '../protocol/jute-writer.js';
import type { ACL } from '../protocol/records.js';
import type { SessionTracker } from '../session/session-tracker.js';
import type { DataTree } from '../tree/data-tree.js';
import { ZNode } from '../tree/znode.js';

/**
 * Snapshot format (Jute encoding):
 *   int magic 'ZSNP'; int version 2; long zxid;
 *   int sessionCount; { long id; int timeout } × sessionCount;
 *   int aclCount; { vector<ACL> } × aclCount          (each distinct ACL list once)
 *   { ustring path; buffer data; int aclRef (index, or -1 and an inline vector<ACL>);
 *     long czxid, mzxid, pzxid, ctime, mtime; int version, childCreates, aversion; long owner }
 *     × nodes, parents before children;
 *   ustring null (end).
 * It is fuzzy: it is produced in chunks while writes go on, so it holds every txn up to
 * `zxid` and perhaps some after; replaying the log after `zxid` (txns are idempotent) makes
 * the state exact. Checksumming and files are the server's business.
 */
const MAGIC = 0x5a534e50; // 'ZSNP'
const VERSION = 2;
const CHUNK_BYTES = 256 * 1024;
/** One shared 0n for the (many) nodes without an owner. */
const NO_OWNER = 0n;

export function* snapshotChunks(zxid: bigint, tree: DataTree, sessions: SessionTracker, chunkBytes = CHUNK_BYTES): Generator<Buffer> {
  let w = new JuteWriter();
  w.writeInt(MAGIC);
  w.writeInt(VERSION);
  w.writeLong(zxid);
  const all = [...sessions.sessions.values()];
  w.writeInt(all.length);
  for (const s of all) {
    w.writeLong(s.id);
    w.writeInt(s.timeout);
  }
  // Most trees use a handful of ACL lists: write each once, refer to it by index.
  const acls = tree.aclLists();
  const aclIndex = new Map<readonly ACL[], number>(acls.map((a, i) => [a, i]));
  w.writeInt(acls.length);
  for (const acl of acls) w.writeACLs(acl);
  const stack = ['/'];
  while (stack.length > 0) {
    const path = stack.pop()!;
    const node = tree.get(path);
    if (!node) continue; // deleted while we were iterating: the log replay covers it
    writeNode(w, path, node, aclIndex);
    if (node.children) for (const child of node.children) stack.push(path === '/' ? `/${child}` : `${path}/${child}`);
    if (w.length >= chunkBytes) {
      yield w.toBuffer();
      w = new JuteWriter();
    }
  }
  w.writeString(null);
  yield w.toBuffer();
}

function writeNode(w: JuteWriter, path: string, node: ZNode, aclIndex: Map<readonly ACL[], number>): void {
  w.writeString(path);
  w.writeBuffer(node.data);
  const ref = aclIndex.get(node.acl);
  if (ref === undefined) {
    // an ACL list first used while the snapshot was being written
    w.writeInt(-1);
    w.writeACLs(node.acl);
  } else w.writeInt(ref);
  w.writeLong(node.czxid);
  w.writeLong(node.mzxid);
  w.writeLong(node.pzxid);
  w.writeLong(BigInt(node.ctime));
  w.writeLong(BigInt(node.mtime));
  w.writeInt(node.version);
  w.writeInt(node.childCreates);
  w.writeInt(node.aversion);
  w.writeLong(node.ephemeralOwner);
}

/** Loads a snapshot into a fresh tree and tracker; returns the snapshot's zxid. */
export function restoreSnapshot(data: Buffer, tree: DataTree, sessions: SessionTracker): bigint {
  const r = new JuteReader(data);
  const magic = r.readInt();
  if (magic !== MAGIC) throw new JuteDecodeError(`snapshot: bad magic 0x${(magic >>> 0).toString(16)}`);
  const version = r.readInt();
  if (version !== VERSION) throw new JuteDecodeError(`snapshot: unsupported version ${version}`);
  const zxid = r.readLong();
  const sessionCount = r.readInt();
  if (sessionCount < 0 || sessionCount * 12 > r.remaining) throw new JuteDecodeError(`snapshot: session count ${sessionCount} does not fit`);
  for (let i = 0; i < sessionCount; i++) {
    const id = r.readLong();
    sessions.add(id, r.readInt());
  }
  const aclCount = r.readCount('ACL table', 4);
  const acls: Array<readonly ACL[]> = [];
  for (let i = 0; i < aclCount; i++) acls.push(tree.internACL(r.readACLs() ?? []));
  for (;;) {
    const path = r.readString();
    if (path === null) break;
    const raw = r.readBuffer();
    const ref = r.readInt();
    let acl: readonly ACL[];
    if (ref === -1) acl = r.readACLs() ?? [];
    else if (ref >= 0 && ref < acls.length) acl = acls[ref];
    else throw new JuteDecodeError(`snapshot: ACL reference ${ref} for ${path} is outside the table of ${acls.length}`);
    const czxid = r.readLong();
    const node = new ZNode(raw && Buffer.from(raw), acl, czxid, 0, 0n);
    // zxids of one txn are one shared bigint in a live tree: keep them shared here too
    const mzxid = r.readLong();
    const pzxid = r.readLong();
    node.mzxid = mzxid === czxid ? czxid : mzxid;
    node.pzxid = pzxid === czxid ? czxid : pzxid === mzxid ? node.mzxid : pzxid;
    node.ctime = Number(r.readLong());
    node.mtime = Number(r.readLong());
    node.version = r.readInt();
    node.childCreates = r.readInt();
    node.aversion = r.readInt();
    const owner = r.readLong();
    node.ephemeralOwner = owner === 0n ? NO_OWNER : owner;
    tree.load(path, node);
  }
  return zxid;
}
