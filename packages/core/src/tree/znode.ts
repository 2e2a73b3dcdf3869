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
 * One znode. Stat fields live directly on the node (no separate Stat object) to keep a
 * million nodes small; zxids are shared bigint values of their transaction. The data is kept
 * as a range of a slab shared with other nodes' data (see DataSlabs), not as a Buffer object
 * per node (96 bytes each): `data` makes the Buffer view when it is asked for.
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
  czxid: bigint;
  mzxid: bigint;
  pzxid: bigint;
  private ctimeHi = 0;
  private ctimeLo = 0;
  private mtimeHi = 0;
  private mtimeLo = 0;
  version = 0;
  childCreates = 0;
  aversion = 0;
  /** Internal owner: session id, container or TTL marker (see node-type.ts). */
  ephemeralOwner: bigint;
  /** Child names; null until the first child, since most nodes are leaves. */
  children: ChildNames | null = null;

  /** `data` is kept as it is, with all of its ArrayBuffer: pass a compact copy (DataSlabs). */
  constructor(data: Buffer | null, acl: readonly ACL[], zxid: bigint, time: number, ephemeralOwner: bigint) {
    if (data) this.setBytes(data.buffer as ArrayBuffer, data.byteOffset, data.length);
    this.acl = acl;
    this.czxid = zxid;
    this.mzxid = zxid;
    this.pzxid = zxid;
    this.ctime = time;
    this.mtime = time;
    this.ephemeralOwner = ephemeralOwner;
  }

  /** The data, as a view of the slab it lives in (a new Buffer object, the same bytes). */
  get data(): Buffer | null {
    return this.bytes === null ? null : Buffer.from(this.bytes, this.offset, this.length);
  }

  get ctime(): number {
    return this.ctimeHi * TIME_SPLIT + this.ctimeLo;
  }

  set ctime(t: number) {
    this.ctimeHi = timeHi(t);
    this.ctimeLo = timeLo(t, this.ctimeHi);
  }

  get mtime(): number {
    return this.mtimeHi * TIME_SPLIT + this.mtimeLo;
  }

  set mtime(t: number) {
    this.mtimeHi = timeHi(t);
    this.mtimeLo = timeLo(t, this.mtimeHi);
  }

  get dataLength(): number {
    return this.length;
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
    return {
      czxid: this.czxid,
      mzxid: this.mzxid,
      ctime: BigInt(this.ctime),
      mtime: BigInt(this.mtime),
      version: this.version,
      cversion: (this.childCreates * 2 - numChildren) | 0, // a Java int
      aversion: this.aversion,
      ephemeralOwner: reportedOwner(this.ephemeralOwner),
      dataLength: this.length,
      numChildren,
      pzxid: this.pzxid,
    };
  }
}
