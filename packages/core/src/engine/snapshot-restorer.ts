import { JuteDecodeError } from '../protocol/decode-error.js';
import { JuteReader } from '../protocol/jute-reader.js';
import type { ACL } from '../protocol/records.js';
import { utf8 } from '../protocol/utf8.js';
import type { SessionTracker } from '../session/session-tracker.js';
import type { DataTree } from '../tree/data-tree.js';
import { SLAB_BYTES } from '../tree/data-slabs.js';
import { ZNode } from '../tree/znode.js';
import { AFTER_ACL_BYTES, BLOCK_HEADER_BYTES, MAGIC, NODE_FIXED_BYTES, TWO_32, VERSION } from './snapshot-format.js';

// Reading a snapshot (the format: snapshot-format.ts) into a fresh tree, whole or in pieces.

/** One shared 0n for the (many) nodes without an owner. */
const NO_OWNER = 0n;

/** Loads a snapshot into a fresh tree and tracker; returns the snapshot's zxid. */
export function restoreSnapshot(data: Buffer, tree: DataTree, sessions: SessionTracker): bigint {
  const restorer = new SnapshotRestorer(tree, sessions);
  restorer.push(data);
  return restorer.end();
}

/**
 * Loads a snapshot handed over in pieces of any size, in order (a file read in chunks into one
 * reused buffer: nothing is kept pointing into a piece after push() returns), into a fresh
 * tree and tracker; end() checks it was whole and returns its zxid. Blocks are decoded as soon
 * as they are whole, so memory holds one block at most, not the file. A version 2 snapshot
 * (no blocks) is gathered whole and decoded at end().
 */
export class SnapshotRestorer {
  /** Bytes of the header (sessions, ACL table) gathered until it is whole; null once read. */
  private head: Buffer[] | null = [];
  private version = 0;
  private zxid = 0n;
  private loader: Loader | null = null;
  /** v3: the start of a block cut by the end of a piece (its first carryLength bytes), and where it is in the snapshot. */
  private carry: Buffer = Buffer.alloc(0);
  private carryLength = 0;
  private carryAt = 0;
  /** v2: every piece after the header, which ends at restAt. */
  private rest: Buffer[] = [];
  private restAt = -1;
  /** The sessions read, for abort(). */
  private sessionIds: bigint[] = [];
  /** Bytes pushed so far. */
  private offset = 0;
  private done = false;

  constructor(
    private readonly tree: DataTree,
    private readonly sessions: SessionTracker,
  ) {}

  push(piece: Buffer): void {
    const at = this.offset;
    this.offset += piece.length;
    if (this.done || piece.length === 0) return;
    if (this.head) {
      const bytes = this.head.length === 0 ? piece : Buffer.concat([...this.head, piece]);
      const after = this.readHead(bytes, false);
      if (after < 0) {
        // (a copy: the caller reuses piece)
        this.head = [this.head.length === 0 ? Buffer.from(piece) : bytes];
        return;
      }
      this.head = null;
      this.body(bytes, after, 0);
      return;
    }
    this.body(piece, 0, at);
  }

  /**
   * Takes back everything pushed so far (the tree is fresh again, the sessions read are gone):
   * for a snapshot found damaged part way, before an older one is tried.
   */
  abort(): void {
    this.tree.reset();
    for (const id of this.sessionIds) this.sessions.remove(id);
    this.sessionIds = [];
    this.done = true;
  }

  /** Checks that the snapshot was whole (else a JuteDecodeError) and returns its zxid. */
  end(): bigint {
    if (this.head) {
      // not even the header was whole: read it once more as final, for the exact error
      this.readHead(Buffer.concat(this.head), true);
      throw new JuteDecodeError('snapshot: truncated header');
    }
    if (this.version === 2) {
      const rest = Buffer.concat(this.rest);
      this.loader!.setBytes(rest, this.restAt, rest.length);
      this.loader!.v2Nodes(0);
      this.rest = [];
      this.done = true;
    }
    if (!this.done) throw new JuteDecodeError(`snapshot: truncated or damaged block header at offset ${this.carryLength > 0 ? this.carryAt : this.offset}`);
    return this.zxid;
  }

  /**
   * Reads magic, version, zxid, sessions and the ACL table; returns the offset after them, or -1
   * if `bytes` ends before they do (unless `final`: then the decode error).
   */
  private readHead(bytes: Buffer, final: boolean): number {
    if (bytes.length >= 4) {
      const magic = bytes.readInt32BE(0);
      if (magic !== MAGIC) throw new JuteDecodeError(`snapshot: bad magic 0x${(magic >>> 0).toString(16)}`);
    }
    if (bytes.length >= 8) {
      const version = bytes.readInt32BE(4);
      if (version !== VERSION && version !== 2) throw new JuteDecodeError(`snapshot: unsupported version ${version}`);
    }
    // (read into locals first: nothing is applied until the whole header is there)
    const r = new JuteReader(bytes);
    let version: number;
    let zxid: bigint;
    const found: Array<[bigint, number]> = [];
    const aclLists: ACL[][] = [];
    try {
      r.readInt();
      version = r.readInt();
      zxid = r.readLong();
      const sessionCount = r.readInt();
      if (sessionCount < 0 || sessionCount * 12 > r.remaining) throw new JuteDecodeError(`snapshot: session count ${sessionCount} does not fit`);
      for (let i = 0; i < sessionCount; i++) {
        const id = r.readLong();
        found.push([id, r.readInt()]);
      }
      const aclCount = r.readCount('ACL table', 4);
      for (let i = 0; i < aclCount; i++) aclLists.push(r.readACLs() ?? []);
    } catch (err) {
      if (final || !(err instanceof JuteDecodeError)) throw err;
      return -1;
    }
    for (const [id, timeout] of found) {
      this.sessions.add(id, timeout);
      this.sessionIds.push(id);
    }
    const acls = aclLists.map((acl) => this.tree.internACL(acl));
    this.version = version;
    this.zxid = zxid;
    this.loader = new Loader(this.tree, acls);
    return r.offset;
  }

  /** Bytes after the header: `b[p..]`, where b[0] is at offset `at` of the snapshot. */
  private body(b: Buffer, p: number, at: number): void {
    if (this.version === 2) {
      if (this.restAt < 0) this.restAt = at + p;
      this.rest.push(Buffer.from(b.subarray(p)));
      return;
    }
    const loader = this.loader!;
    if (this.carryLength > 0) {
      // first finish the block the last piece cut
      p = this.fillCarry(b, p, BLOCK_HEADER_BYTES);
      if (this.carryLength < 4) return;
      if (this.carry.readInt32BE(0) === 0) {
        this.done = true;
        return;
      }
      if (this.carryLength < BLOCK_HEADER_BYTES) return;
      p = this.fillCarry(b, p, loader.blockBytes(this.carry, 0, this.carryAt));
      if (this.carryLength < loader.blockBytes(this.carry, 0, this.carryAt)) return;
      loader.setBytes(this.carry, this.carryAt, this.carryLength);
      loader.block(0);
      this.carryLength = 0;
    }
    loader.setBytes(b, at, b.length);
    while (p < b.length) {
      if (b.length - p >= 4 && b.readInt32BE(p) === 0) {
        this.done = true;
        return;
      }
      if (b.length - p < BLOCK_HEADER_BYTES || b.length - p < loader.blockBytes(b, p, at + p)) break;
      p = loader.block(p);
    }
    // the rest is the start of a block: keep a copy (the caller reuses b)
    this.carryAt = at + p;
    this.fillCarry(b, p, b.length - p);
  }

  /** Appends bytes of b from p to the carried block until it holds `want` bytes; returns where it stopped in b. */
  private fillCarry(b: Buffer, p: number, want: number): number {
    const take = Math.min(want - this.carryLength, b.length - p);
    if (take <= 0) return p;
    if (this.carry.length < this.carryLength + take) {
      const bigger = Buffer.allocUnsafe(Math.max(this.carryLength + take, this.carry.length * 2, 64 * 1024));
      this.carry.copy(bigger, 0, 0, this.carryLength);
      this.carry = bigger;
    }
    b.copy(this.carry, this.carryLength, p, p + take);
    this.carryLength += take;
    return p + take;
  }
}

/**
 * Decodes nodes straight from the bytes: no reader object per field, no throwaway bigints
 * (times are read as numbers, zxids equal to one already read share its bigint, a zero owner
 * is one shared 0n), and a node's parent found on a stack of the nodes it was listed after
 * (a snapshot lists parents before children, a parent's children mostly in a run) instead of by a
 * path lookup.
 */
class Loader {
  /** The bytes being decoded, up to `end`; b[0] is at offset `base` of the snapshot (for error messages). */
  private b: Buffer = Buffer.alloc(0);
  private end = 0;
  private base = 0;
  /** the chain of ancestors of the node being read: paths and nodes */
  private readonly stackPaths: string[] = [];
  private readonly stackNodes: ZNode[] = [];
  private lastZxid = 0n;
  private lastHi = 0;
  private lastLo = 0;
  private next = 0;

  constructor(
    private readonly tree: DataTree,
    private readonly acls: ReadonlyArray<readonly ACL[]>,
  ) {}

  /** Decode from `b` (up to `end`) next, whose byte 0 is at offset `base` of the snapshot. */
  setBytes(b: Buffer, base: number, end: number): void {
    this.b = b;
    this.base = base;
    this.end = end;
  }

  private fail(at: number, what: string): never {
    throw new JuteDecodeError(`snapshot: truncated or damaged ${what} at offset ${this.base + at}`);
  }

  /** The size of the v3 block whose header is at `b[p]` (12 bytes there), checked; `at` is its offset in the snapshot. */
  blockBytes(b: Buffer, p: number, at: number): number {
    const count = b.readInt32BE(p);
    const metaBytes = b.readInt32BE(p + 4);
    const dataBytes = b.readInt32BE(p + 8);
    if (count < 0 || metaBytes < 0 || dataBytes < 0 || count * NODE_FIXED_BYTES > metaBytes || metaBytes + dataBytes > 0x7fffffff - BLOCK_HEADER_BYTES) {
      throw new JuteDecodeError(`snapshot: truncated or damaged block header at offset ${at}`);
    }
    return BLOCK_HEADER_BYTES + metaBytes + dataBytes;
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
    const owner = this.int(p + 52) !== 0 || this.int(p + 56) !== 0 ? this.b.readBigInt64BE(p + 52) : NO_OWNER;
    const ctime = this.number(p + 24);
    const czHi = this.int(p);
    const czLo = this.int(p + 4);
    let node: ZNode;
    if (czHi >= 0 && czHi < 0x200000) {
      // a czxid below 2^53 (all in practice): no bigint for it, nor for an mzxid or pzxid equal to it
      node = ZNode.restored(acl, czHi * TWO_32 + (czLo >>> 0), ctime, owner);
      if (this.int(p + 8) !== czHi || this.int(p + 12) !== czLo) node.mzxid = this.zxid(p + 8);
      if (this.int(p + 16) !== czHi || this.int(p + 20) !== czLo) node.pzxid = this.zxid(p + 16);
    } else {
      node = new ZNode(null, acl, this.zxid(p), ctime, owner);
      node.mzxid = this.zxid(p + 8);
      node.pzxid = this.zxid(p + 16);
    }
    // (each is kept only if it is not the default: see ZNode)
    node.mtime = this.number(p + 32);
    node.version = this.int(p + 40);
    node.childCreates = this.int(p + 44);
    node.aversion = this.int(p + 48);
    this.next = p + AFTER_ACL_BYTES;
    return node;
  }

  /**
   * Puts a node in the tree and links it under its parent: the parent is found on the ancestor
   * stack when its children are listed in a run after it, else looked up (a tree whose parents
   * got their children in turn is listed with their children interleaved). Linking is an append
   * (see ChildNames), so children linked as they come go in in the order they are listed.
   */
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

  /** Decodes the whole v3 block at `p` (its size checked by blockBytes); returns the offset after it. */
  block(p: number): number {
    const b = this.b;
    const count = this.int(p);
    const metaBytes = this.int(p + 4);
    const dataBytes = this.int(p + 8);
    p += 12;
    if (count <= 0 || metaBytes + dataBytes > this.end - p) this.fail(p - 12, 'block header');
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
          // (not zero-filled first: every byte is copied over; allocUnsafeSlow is never pooled)
          const copy = Buffer.allocUnsafeSlow(slabEnd - slabStart);
          b.copy(copy, 0, metaEnd + slabStart, metaEnd + slabEnd);
          slab = copy.buffer as ArrayBuffer;
        }
        node.setBytes(slab, dataAt - slabStart, dataLength);
        dataAt += dataLength;
      }
      this.place(path, node);
    }
    if (p !== metaEnd || dataAt !== dataBytes) this.fail(p, 'block (sizes do not add up)');
    return metaEnd + dataBytes;
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
