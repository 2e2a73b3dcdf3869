import { JuteDecodeError } from '../protocol/decode-error.js';
import { JuteReader } from '../protocol/jute-reader.js';
import { JuteWriter } from '../protocol/jute-writer.js';
import type { SessionTracker } from '../session/session-tracker.js';
import type { DataTree } from '../tree/data-tree.js';
import { ZNode } from '../tree/znode.js';

/**
 * Snapshot format (Jute encoding):
 *   int magic 'ZSNP'; int version 1; long zxid;
 *   int sessionCount; { long id; int timeout } × sessionCount;
 *   { ustring path; buffer data; acl; long czxid, mzxid, pzxid, ctime, mtime;
 *     int version, childCreates, aversion; long owner } × nodes, parents before children;
 *   ustring null (end).
 * It is fuzzy: it is produced in chunks while writes go on, so it holds every txn up to
 * `zxid` and perhaps some after; replaying the log after `zxid` (txns are idempotent) makes
 * the state exact. Checksumming and files are the server's business.
 */
const MAGIC = 0x5a534e50; // 'ZSNP'
const VERSION = 1;
const CHUNK_BYTES = 256 * 1024;

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
  const stack = ['/'];
  while (stack.length > 0) {
    const path = stack.pop()!;
    const node = tree.get(path);
    if (!node) continue; // deleted while we were iterating: the log replay covers it
    writeNode(w, path, node);
    if (node.children) for (const child of node.children) stack.push(path === '/' ? `/${child}` : `${path}/${child}`);
    if (w.length >= chunkBytes) {
      yield w.toBuffer();
      w = new JuteWriter();
    }
  }
  w.writeString(null);
  yield w.toBuffer();
}

function writeNode(w: JuteWriter, path: string, node: ZNode): void {
  w.writeString(path);
  w.writeBuffer(node.data);
  w.writeACLs(node.acl);
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
  for (;;) {
    const path = r.readString();
    if (path === null) break;
    const raw = r.readBuffer();
    const acl = r.readACLs() ?? []; // interned by tree.load
    const czxid = r.readLong();
    const node = new ZNode(raw && Buffer.from(raw), acl, czxid, 0, 0n);
    node.mzxid = r.readLong();
    node.pzxid = r.readLong();
    node.ctime = Number(r.readLong());
    node.mtime = Number(r.readLong());
    node.version = r.readInt();
    node.childCreates = r.readInt();
    node.aversion = r.readInt();
    node.ephemeralOwner = r.readLong();
    tree.load(path, node);
  }
  return zxid;
}
