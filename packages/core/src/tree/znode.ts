import type { ACL, Stat } from '../protocol/records.js';
import { reportedOwner } from './node-type.js';

/**
 * One znode. Stat fields live directly on the node (no separate Stat object) to keep a
 * million nodes small; zxids are shared bigint values of their transaction.
 *
 * `childCreates` is ZooKeeper's stored cversion: the number of child creates ever, which is
 * also the sequential-suffix counter. Clients see `2 * childCreates - numChildren`.
 */
export class ZNode {
  data: Buffer | null;
  acl: readonly ACL[];
  czxid: bigint;
  mzxid: bigint;
  pzxid: bigint;
  ctime: number;
  mtime: number;
  version = 0;
  childCreates = 0;
  aversion = 0;
  /** Internal owner: session id, container or TTL marker (see node-type.ts). */
  ephemeralOwner: bigint;
  /** Child names; null until the first child, since most nodes are leaves. */
  children: Set<string> | null = null;

  constructor(data: Buffer | null, acl: readonly ACL[], zxid: bigint, time: number, ephemeralOwner: bigint) {
    this.data = data;
    this.acl = acl;
    this.czxid = zxid;
    this.mzxid = zxid;
    this.pzxid = zxid;
    this.ctime = time;
    this.mtime = time;
    this.ephemeralOwner = ephemeralOwner;
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
      dataLength: this.data ? this.data.length : 0,
      numChildren,
      pzxid: this.pzxid,
    };
  }
}
