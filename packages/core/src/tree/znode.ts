import type { ACL, Stat } from '../protocol/records.js';
import type { ChildNames } from './child-names.js';
import { reportedOwner } from './node-type.js';

/** The bytes of zero-length data. */
const EMPTY = new ArrayBuffer(0);
/**
 * Times are kept as hi × 2^24 + lo: two small integers (Smis, stored in the object), where a
 * double field costs a 16-byte heap box per node. `| 0` keeps V8 from seeing a double.
 */
const TIME_SPLIT = 16_777_216;

/**
 * A czxid is kept as hi × 2^24 + lo too (two Smis, no bigint of 24 bytes per node), when it is
 * below 2^53, as every zxid is in practice (an epoch below 2^21); one that is not is kept as a
 * bigint in the node's ZNodeMore, with hi = -1.
 */
const ZXID_SPLIT = 16_777_216;
const ZXID_LIMIT = 2n ** 53n;

/** The high part of a split time; `| 0` keeps V8 from seeing a double where it fits a Smi. */
function timeHi(t: number): number {
  const hi = Math.floor(t / TIME_SPLIT);
  return hi === (hi | 0) ? hi | 0 : hi;
}

/** The low part of a split time whose high part is `hi`. */
function timeLo(t: number, hi: number): number {
  const lo = t - hi * TIME_SPLIT;
  return lo === (lo | 0) ? lo | 0 : lo;
}

/**
 * The stat fields most znodes never move from their defaults: a leaf written once and never
 * changed (most of a large tree) has mzxid = pzxid = czxid, mtime = ctime, versions and create
 * counter 0 and no owner. A node keeps these in a ZNodeMore only once one differs.
 */
class ZNodeMore {
  mzxid: bigint;
  pzxid: bigint;
  mtimeHi: number;
  mtimeLo: number;
  version = 0;
  childCreates = 0;
  aversion = 0;
  ephemeralOwner: bigint;
  /** The czxid, when it does not fit the node's two small integers (see ZXID_SPLIT). */
  czxid: bigint | null = null;

  constructor(zxid: bigint, timeHi: number, timeLo: number, owner: bigint) {
    this.mzxid = zxid;
    this.pzxid = zxid;
    this.mtimeHi = timeHi;
    this.mtimeLo = timeLo;
    this.ephemeralOwner = owner;
  }
}

/** The one 0n of nodes without an owner. */
const NO_OWNER = 0n;

/**
 * One znode. Stat fields live directly on the node (no separate Stat object) to keep a
 * million nodes small; zxids are shared bigint values of their transaction. The data is kept
 * as a range of a slab shared with other nodes' data (see DataSlabs), not as a Buffer object
 * per node (96 bytes each): `data` makes the Buffer view when it is asked for. The stat fields
 * a node has not moved from their defaults take no room (see ZNodeMore): 9 fields instead of
 * 16, about 90 bytes less per never-changed leaf (a restart allocates, and the GC copies, that
 * much less per node).
 *
 * `childCreates` is ZooKeeper's stored cversion: the number of child creates ever, which is
 * also the sequential-suffix counter. Clients see `2 * childCreates - numChildren`.
 */
export class ZNode {
  /** The data: `length` bytes at `offset` of `bytes`; null bytes for null data. */
  private bytes: ArrayBuffer | null = null;
  private offset = 0;
  private length = 0;
  acl: readonly ACL[];
  /** The czxid as czHi × 2^24 + czLo (czHi -1: it is in more.czxid, see ZXID_SPLIT). */
  private czHi = 0;
  private czLo = 0;
  private ctimeHi = 0;
  private ctimeLo = 0;
  /** Child names; null until the first child, since most nodes are leaves. */
  children: ChildNames<ZNode> | null = null;
  /** Where the node is in its parent's ChildNames (-1: not listed there). */
  childSlot = -1;
  /** The other stat fields, once one of them is not its default (see ZNodeMore). */
  private more: ZNodeMore | null = null;

  /** `data` is kept as it is, with all of its ArrayBuffer: pass a compact copy (DataSlabs). */
  constructor(data: Buffer | null, acl: readonly ACL[], zxid: bigint, time: number, ephemeralOwner: bigint) {
    if (data) this.setBytes(data.buffer as ArrayBuffer, data.byteOffset, data.length);
    this.acl = acl;
    this.ctimeHi = timeHi(time);
    this.ctimeLo = timeLo(time, this.ctimeHi);
    this.setCz(zxid);
    if (ephemeralOwner !== NO_OWNER) this.grow().ephemeralOwner = ephemeralOwner;
  }

  /**
   * A node as a snapshot restore reads it: the czxid as a number (below 2^53), mzxid and pzxid
   * equal to it, the rest at their defaults (set them after). No bigint is made.
   */
  static restored(acl: readonly ACL[], czxid: number, time: number, ephemeralOwner: bigint): ZNode {
    const node = new ZNode(null, acl, 0n, time, ephemeralOwner);
    const hi = Math.floor(czxid / ZXID_SPLIT);
    node.czHi = hi | 0;
    node.czLo = (czxid - hi * ZXID_SPLIT) | 0;
    if (node.more !== null) node.more.mzxid = node.more.pzxid = node.czxid;
    return node;
  }

  /** The node's ZNodeMore, made from the defaults if it has none yet. */
  private grow(): ZNodeMore {
    if (this.more !== null) return this.more;
    const cz = this.czxid;
    this.more = new ZNodeMore(cz, this.ctimeHi, this.ctimeLo, NO_OWNER);
    return this.more;
  }

  private setCz(zxid: bigint): void {
    if (zxid >= 0n && zxid < ZXID_LIMIT) {
      const n = Number(zxid);
      const hi = Math.floor(n / ZXID_SPLIT);
      this.czHi = hi | 0;
      this.czLo = (n - hi * ZXID_SPLIT) | 0;
      if (this.more !== null) this.more.czxid = null;
    } else {
      // (a node without a ZNodeMore has mzxid = pzxid = this czxid)
      (this.more ??= new ZNodeMore(zxid, this.ctimeHi, this.ctimeLo, NO_OWNER)).czxid = zxid;
      this.czHi = -1;
      this.czLo = 0;
    }
  }

  /** Whether `zxid` is the czxid (without making a bigint of the czxid). */
  private isCz(zxid: bigint): boolean {
    // (a zxid of 2^53 or more converts to a number of at least 2^53: never equal to a kept one)
    return this.czHi >= 0 ? Number(zxid) === this.czHi * ZXID_SPLIT + this.czLo : zxid === this.more!.czxid;
  }

  /** Whether the node was created by a txn after `zxid` (`zxidNumber` is Number(zxid)), making no bigint. */
  createdAfter(zxid: bigint, zxidNumber: number): boolean {
    // (a zxid of 2^53 or more converts to a number of at least 2^53: above every kept one)
    return this.czHi >= 0 ? this.czHi * ZXID_SPLIT + this.czLo > zxidNumber : this.more!.czxid! > zxid;
  }

  /** The czxid as a number, or -1 if it is 2^53 or more (then read czxid). */
  get czxidNumber(): number {
    return this.czHi >= 0 ? this.czHi * ZXID_SPLIT + this.czLo : -1;
  }

  /** Whether every stat field but czxid and ctime is its default (mzxid and pzxid are the czxid). */
  get unchanged(): boolean {
    return this.more === null;
  }

  get czxid(): bigint {
    return this.czHi >= 0 ? BigInt(this.czHi * ZXID_SPLIT + this.czLo) : this.more!.czxid!;
  }

  /** (mzxid and pzxid stay what they were: while they are the default, that is the old czxid) */
  set czxid(zxid: bigint) {
    if (this.more === null && !this.isCz(zxid)) this.grow();
    this.setCz(zxid);
  }

  get mzxid(): bigint {
    return this.more === null ? this.czxid : this.more.mzxid;
  }

  set mzxid(zxid: bigint) {
    if (this.more !== null) this.more.mzxid = zxid;
    else if (!this.isCz(zxid)) this.grow().mzxid = zxid;
  }

  get pzxid(): bigint {
    return this.more === null ? this.czxid : this.more.pzxid;
  }

  set pzxid(zxid: bigint) {
    if (this.more !== null) this.more.pzxid = zxid;
    else if (!this.isCz(zxid)) this.grow().pzxid = zxid;
  }

  get version(): number {
    return this.more === null ? 0 : this.more.version;
  }

  set version(v: number) {
    if (this.more !== null || v !== 0) this.grow().version = v;
  }

  get childCreates(): number {
    return this.more === null ? 0 : this.more.childCreates;
  }

  set childCreates(n: number) {
    if (this.more !== null || n !== 0) this.grow().childCreates = n;
  }

  get aversion(): number {
    return this.more === null ? 0 : this.more.aversion;
  }

  set aversion(v: number) {
    if (this.more !== null || v !== 0) this.grow().aversion = v;
  }

  /** Internal owner: session id, container or TTL marker (see node-type.ts). */
  get ephemeralOwner(): bigint {
    return this.more === null ? NO_OWNER : this.more.ephemeralOwner;
  }

  set ephemeralOwner(owner: bigint) {
    if (this.more !== null || owner !== NO_OWNER) this.grow().ephemeralOwner = owner;
  }

  /** The data, as a view of the slab it lives in (a new Buffer object, the same bytes). */
  get data(): Buffer | null {
    return this.bytes === null ? null : Buffer.from(this.bytes, this.offset, this.length);
  }

  get ctime(): number {
    return this.ctimeHi * TIME_SPLIT + this.ctimeLo;
  }

  /** (mtime stays what it was: while it is the default, that is the old ctime) */
  set ctime(t: number) {
    const hi = timeHi(t);
    const lo = timeLo(t, hi);
    if (this.more === null && (hi !== this.ctimeHi || lo !== this.ctimeLo)) this.grow();
    this.ctimeHi = hi;
    this.ctimeLo = lo;
  }

  get mtime(): number {
    return this.more === null ? this.ctime : this.more.mtimeHi * TIME_SPLIT + this.more.mtimeLo;
  }

  set mtime(t: number) {
    if (this.more === null && t === this.ctimeHi * TIME_SPLIT + this.ctimeLo) return;
    const hi = timeHi(t);
    const lo = timeLo(t, hi);
    if (this.more !== null) {
      this.more.mtimeHi = hi;
      this.more.mtimeLo = lo;
    } else if (hi !== this.ctimeHi || lo !== this.ctimeLo) {
      const more = this.grow();
      more.mtimeHi = hi;
      more.mtimeLo = lo;
    }
  }

  get dataLength(): number {
    return this.length;
  }

  /**
   * The buffer the data is in (null for null data) and where in it (with dataLength): for the
   * snapshot writer, which copies the values of nodes written one after the other (adjacent in
   * their slab) as one run instead of making a view of each.
   */
  get dataBuffer(): ArrayBuffer | null {
    return this.bytes;
  }

  get dataOffset(): number {
    return this.offset;
  }

  /** Points the node at `length` bytes at `offset` of `bytes` (null: no data). */
  setBytes(bytes: ArrayBuffer | null, offset: number, length: number): void {
    this.bytes = bytes === null ? null : length === 0 ? EMPTY : bytes;
    this.offset = length === 0 ? 0 : offset;
    this.length = length;
  }

  get numChildren(): number {
    return this.children ? this.children.size : 0;
  }

  stat(): Stat {
    const numChildren = this.numChildren;
    const more = this.more;
    const czxid = this.czxid;
    const ctime = BigInt(this.ctime);
    return {
      czxid,
      mzxid: more === null ? czxid : more.mzxid,
      ctime,
      // (the same bigint while mtime is ctime, as it is for a node never written)
      mtime: more === null ? ctime : BigInt(this.mtime),
      version: this.version,
      cversion: (this.childCreates * 2 - numChildren) | 0, // a Java int
      aversion: this.aversion,
      ephemeralOwner: reportedOwner(this.ephemeralOwner),
      dataLength: this.length,
      numChildren,
      pzxid: more === null ? czxid : more.pzxid,
    };
  }
}
