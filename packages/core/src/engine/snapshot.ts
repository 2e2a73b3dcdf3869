import { JuteDecodeError } from '../protocol/decode-error.js';
import { JuteReader } from '../protocol/jute-reader.js';
import { JuteWriter } from '../protocol/jute-writer.js';
import type { ACL } from '../protocol/records.js';
import type { SessionTracker } from '../session/session-tracker.js';
import type { DataTree } from '../tree/data-tree.js';
import { SLAB_BYTES } from '../tree/data-slabs.js';
import { ZNode } from '../tree/znode.js';

/**
 * Snapshot format (Jute encoding):
 *   int magic 'ZSNP'; int version 3; long zxid;
 *   int sessionCount; { long id; int timeout } × sessionCount;
 *   int aclCount; { vector<ACL> } × aclCount          (each distinct ACL list once)
 *   blocks, parents before children:
 *     int nodeCount (> 0); int metaBytes; int dataBytes;
 *     metaBytes of { ustring path; int dataLength (-1 for null);
 *       int aclRef (index, or -1 and an inline vector<ACL>);
 *       long czxid, mzxid, pzxid, ctime, mtime; int version, childCreates, aversion; long owner } × nodeCount;
 *     dataBytes: the nodes' data, one after the other
 *   int 0 (end).
 * Keeping a block's data together lets a restore copy it in one piece and give each node a view
 * of it instead of one allocation per node. Version 2 (data inline, a null path at the end) is
 * still read.
 *
 * It is fuzzy: it is produced in chunks while writes go on, so it holds every txn up to
 * `zxid` and perhaps some after; replaying the log after `zxid` (txns are idempotent) makes
 * the state exact. Checksumming and files are the server's business.
 */
const MAGIC = 0x5a534e50; // 'ZSNP'
const VERSION = 3;
const CHUNK_BYTES = 256 * 1024;
/** One shared 0n for the (many) nodes without an owner. */
const NO_OWNER = 0n;
/** path length, data length, ACL ref: the ints around a node's path. */
const NODE_FIXED_BYTES = 4 + 4 + 4 + 5 * 8 + 3 * 4 + 8;
const AFTER_ACL_BYTES = 5 * 8 + 3 * 4 + 8;

/** The snapshot as chunks of about `chunkBytes`; `version` 2 is for tests of old snapshots. */
export function* snapshotChunks(zxid: bigint, tree: DataTree, sessions: SessionTracker, chunkBytes = CHUNK_BYTES, version = VERSION): Generator<Buffer> {
  const w = new JuteWriter();
  w.writeInt(MAGIC);
  w.writeInt(version);
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
  if (version === 2) {
    yield* v2Nodes(w, tree, aclIndex, chunkBytes);
    return;
  }
  yield w.toBuffer();

  let meta = new JuteWriter(chunkBytes + 1024);
  let data: Buffer[] = [];
  let dataBytes = 0;
  let count = 0;
  const block = (): Buffer => {
    const head = Buffer.allocUnsafe(12);
    head.writeInt32BE(count, 0);
    head.writeInt32BE(meta.length, 4);
    head.writeInt32BE(dataBytes, 8);
    const out = Buffer.concat([head, meta.toBuffer(), ...data], 12 + meta.length + dataBytes);
    meta = new JuteWriter(chunkBytes + 1024);
    data = [];
    dataBytes = 0;
    count = 0;
    return out;
  };
  for (const [path, node] of depthFirst(tree)) {
    meta.writeString(path);
    const d = node.data;
    if (d !== null) {
      meta.writeInt(d.length);
      data.push(d);
      dataBytes += d.length;
    } else meta.writeInt(-1);
    writeStatFields(meta, node, aclIndex);
    count++;
    if (meta.length + dataBytes >= chunkBytes) yield block();
  }
  if (count > 0) yield block();
  const end = Buffer.alloc(4);
  yield end;
}

function* v2Nodes(header: JuteWriter, tree: DataTree, aclIndex: Map<readonly ACL[], number>, chunkBytes: number): Generator<Buffer> {
  let w = header;
  for (const [path, node] of depthFirst(tree)) {
    w.writeString(path);
    w.writeBuffer(node.data);
    writeStatFields(w, node, aclIndex);
    if (w.length >= chunkBytes) {
      yield w.toBuffer();
      w = new JuteWriter();
    }
  }
  w.writeString(null);
  yield w.toBuffer();
}

/**
 * The tree's nodes, parents before children: the tree's own order of insertion. A node can only
 * be created under an existing parent, and a Map keeps its insertion order (a deleted and
 * re-created node moves to the end, after its parent), so every node comes after its parent.
 * Walking the Map reads its entries in memory order and looks nothing up; walking child names
 * depth first built and hashed a path and looked it up per node (~40% of a snapshot's CPU, on the
 * thread that serves requests). The walk is live, as the snapshot is written in chunks while
 * writes go on: a node deleted meanwhile is skipped, and one created again after it was written
 * is listed a second time (the loader takes the later listing; the log replay covers both).
 */
function* depthFirst(tree: DataTree): Generator<[string, ZNode]> {
  yield* tree.nodes;
}

function writeStatFields(w: JuteWriter, node: ZNode, aclIndex: Map<readonly ACL[], number>): void {
  const ref = aclIndex.get(node.acl);
  if (ref === undefined) {
    // an ACL list first used while the snapshot was being written
    w.writeInt(-1);
    w.writeACLs(node.acl);
  } else w.writeInt(ref);
  w.writeLong(node.czxid);
  w.writeLong(node.mzxid);
  w.writeLong(node.pzxid);
  w.writeLongNumber(node.ctime);
  w.writeLongNumber(node.mtime);
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
  if (version !== VERSION && version !== 2) throw new JuteDecodeError(`snapshot: unsupported version ${version}`);
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
  const loader = new Loader(data, tree, acls);
  if (version === 2) loader.v2Nodes(r.offset);
  else loader.v3Blocks(r.offset);
  return zxid;
}

const TWO_32 = 4294967296;

/** Buffer's own utf8Slice where it has one: toString('utf8', …) without its argument checks. */
const utf8: (b: Buffer, start: number, end: number) => string =
  typeof (Buffer.prototype as { utf8Slice?: unknown }).utf8Slice === 'function'
    ? (b, start, end) => (b as unknown as { utf8Slice(s: number, e: number): string }).utf8Slice(start, end)
    : (b, start, end) => b.toString('utf8', start, end);

/**
 * Decodes nodes straight from the bytes: no reader object per field, no throwaway bigints
 * (times are read as numbers, zxids equal to one already read share its bigint, a zero owner
 * is one shared 0n), and a node's parent found on a stack of the nodes it was listed after
 * (the snapshot lists a tree depth-first) instead of by a path lookup.
 */
class Loader {
  private readonly b: Buffer;
  private readonly end: number;
  /** the chain of ancestors of the node being read: paths and nodes */
  private readonly stackPaths: string[] = [];
  private readonly stackNodes: ZNode[] = [];
  private lastZxid = 0n;
  private lastHi = 0;
  private lastLo = 0;
  private next = 0;

  constructor(
    b: Buffer,
    private readonly tree: DataTree,
    private readonly acls: ReadonlyArray<readonly ACL[]>,
  ) {
    this.b = b;
    this.end = b.length;
  }

  private fail(at: number, what: string): never {
    throw new JuteDecodeError(`snapshot: truncated or damaged ${what} at offset ${at}`);
  }

  private int(p: number): number {
    const b = this.b;
    return (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
  }

  /**
   * A long as a bigint, sharing the bigint of the last zxid read if equal: the zxids of one txn
   * are one bigint in a live tree (a node's czxid, mzxid and pzxid; a parent's pzxid and the
   * czxid of its newest child, listed right after it).
   */
  private zxid(p: number): bigint {
    const hi = this.int(p);
    const lo = this.int(p + 4);
    if (hi === this.lastHi && lo === this.lastLo) return this.lastZxid;
    this.lastHi = hi;
    this.lastLo = lo;
    // one allocation when the value fits a double exactly, as zxids do
    this.lastZxid = hi >= -0x200000 && hi < 0x200000 ? BigInt(hi * TWO_32 + (lo >>> 0)) : this.b.readBigInt64BE(p);
    return this.lastZxid;
  }

  private number(p: number): number {
    return this.int(p) * TWO_32 + (this.int(p + 4) >>> 0);
  }

  /** Reads the ACL ref and the fixed fields at `p` into a new node; `next` is then the offset after them. */
  private node(p: number, path: string, limit: number): ZNode {
    const ref = this.int(p);
    p += 4;
    let acl: readonly ACL[];
    if (ref === -1) {
      const r = new JuteReader(this.b, p, limit);
      acl = this.tree.internACL(r.readACLs() ?? []);
      p = r.offset;
      if (limit - p < AFTER_ACL_BYTES) this.fail(p, `node ${path}`);
    } else if (ref >= 0 && ref < this.acls.length) acl = this.acls[ref];
    else throw new JuteDecodeError(`snapshot: ACL reference ${ref} for ${path} is outside the table of ${this.acls.length}`);
    const czxid = this.zxid(p);
    const node = new ZNode(null, acl, czxid, 0, NO_OWNER);
    node.mzxid = this.zxid(p + 8);
    node.pzxid = this.zxid(p + 16);
    const ctime = this.number(p + 24);
    node.ctime = ctime;
    const mtime = this.number(p + 32);
    node.mtime = mtime === ctime ? ctime : mtime;
    node.version = this.int(p + 40);
    node.childCreates = this.int(p + 44);
    node.aversion = this.int(p + 48);
    if (this.int(p + 52) !== 0 || this.int(p + 56) !== 0) node.ephemeralOwner = this.b.readBigInt64BE(p + 52);
    this.next = p + AFTER_ACL_BYTES;
    return node;
  }

  /** Links a node under its parent (from the ancestor stack when it is there). */
  private place(path: string, node: ZNode): void {
    const paths = this.stackPaths;
    const nodes = this.stackNodes;
    if (path === '/') {
      this.tree.load(path, node);
      paths.length = 0;
      nodes.length = 0;
    } else {
      const slash = path.lastIndexOf('/');
      const parentLength = slash === 0 ? 1 : slash;
      let top = paths.length - 1;
      while (top >= 0 && !(paths[top].length === parentLength && path.startsWith(paths[top]))) {
        paths.pop();
        nodes.pop();
        top--;
      }
      this.tree.loadChild(path, slash, node, top >= 0 ? nodes[top] : undefined);
    }
    paths.push(path);
    nodes.push(node);
  }

  v3Blocks(p: number): void {
    const b = this.b;
    for (;;) {
      if (this.end - p < 4) this.fail(p, 'block header');
      const count = this.int(p);
      if (count === 0) return;
      if (this.end - p < 12) this.fail(p, 'block header');
      const metaBytes = this.int(p + 4);
      const dataBytes = this.int(p + 8);
      p += 12;
      if (count < 0 || metaBytes < 0 || dataBytes < 0 || metaBytes + dataBytes > this.end - p || count * NODE_FIXED_BYTES > metaBytes) this.fail(p - 12, 'block header');
      const metaEnd = p + metaBytes;
      // The block's data is copied in runs of about SLAB_BYTES, each run one ArrayBuffer that
      // its nodes point into (as DataSlabs does for data written later).
      let slab: ArrayBuffer | null = null;
      let slabStart = 0;
      let slabEnd = 0;
      let dataAt = 0;
      for (let i = 0; i < count; i++) {
        if (metaEnd - p < NODE_FIXED_BYTES) this.fail(p, 'node');
        const pathBytes = this.int(p);
        if (pathBytes < 1 || pathBytes > metaEnd - p - NODE_FIXED_BYTES) this.fail(p, 'node path');
        const path = utf8(b, p + 4, p + 4 + pathBytes);
        p += 4 + pathBytes;
        const dataLength = this.int(p);
        if (dataLength < -1 || dataLength > dataBytes - dataAt) this.fail(p, `data of ${path}`);
        const node = this.node(p + 4, path, metaEnd);
        p = this.next;
        if (dataLength >= 0) {
          if (slab === null || dataAt + dataLength > slabEnd) {
            slabStart = dataAt;
            slabEnd = Math.min(dataBytes, dataAt + Math.max(SLAB_BYTES, dataLength));
            const copy = new Uint8Array(slabEnd - slabStart);
            copy.set(b.subarray(metaEnd + slabStart, metaEnd + slabEnd));
            slab = copy.buffer;
          }
          node.setBytes(slab, dataAt - slabStart, dataLength);
          dataAt += dataLength;
        }
        this.place(path, node);
      }
      if (p !== metaEnd || dataAt !== dataBytes) this.fail(p, 'block (sizes do not add up)');
      p = metaEnd + dataBytes;
    }
  }

  v2Nodes(p: number): void {
    const r = new JuteReader(this.b, p);
    for (;;) {
      const path = r.readString();
      if (path === null) return;
      const raw = r.readBuffer();
      if (this.end - r.offset < 4 + AFTER_ACL_BYTES) this.fail(r.offset, `node ${path}`);
      const node = this.node(r.offset, path, this.end);
      this.tree.storeData(node, raw);
      r.offset = this.next;
      this.place(path, node);
    }
  }
}
