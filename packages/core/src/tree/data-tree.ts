import { frozenACL, sameACL } from '../acl/acl-lists.js';
import { OPEN_ACL_UNSAFE, READ_ACL_UNSAFE } from '../acl/ids.js';
import { EventType } from '../protocol/opcodes.js';
import type { ACL } from '../protocol/records.js';
import { parentPath } from '../path/validate-path.js';
import { ChildNames } from './child-names.js';
import { DataSlabs } from './data-slabs.js';
import { PathIndex } from './path-index.js';
import { isContainerOwner, isEphemeralOwner, isTtlOwner } from './node-type.js';
import { ZNode } from './znode.js';

/** A change the tree made, for the watch manager to turn into notifications. */
export interface TreeEvent {
  type: EventType;
  path: string;
  /** The ACL that decides who may see the event (READ): the node's, or the parent's for NodeChildrenChanged. */
  acl: readonly ACL[];
}

/** Paths that cannot be deleted. */
export const RESERVED_PATHS: ReadonlySet<string> = new Set(['/', '/zookeeper', '/zookeeper/quota', '/zookeeper/config']);

/**
 * The znode tree: a flat path → node map (as ZooKeeper's DataTree) plus child-name sets, and
 * indexes of ephemerals by session and of container/TTL nodes for the reaper. It applies
 * already-validated changes; validation is the request processor's job.
 */
export class DataTree {
  /** path → node, in creation order (parents before children; see PathIndex) */
  readonly nodes = new PathIndex<ZNode>();
  /** session id → paths of its ephemeral nodes */
  readonly ephemerals = new Map<bigint, Set<string>>();
  /** container and TTL nodes: the reaper's candidates */
  readonly containers = new Set<string>();
  readonly ttls = new Set<string>();
  private dataSize = 0;
  /** Where node data is copied to (see DataSlabs). */
  private readonly slabs = new DataSlabs();
  /** Identical ACLs share one frozen array, like ZooKeeper's ACL cache: most trees use a handful. */
  private readonly aclCache = new Map<string, readonly ACL[]>();
  private readonly interned = new WeakSet<readonly ACL[]>();
  /** The last frozen list interned and its shared copy: replay hands the same list to a million creates. */
  private lastFrozen: readonly ACL[] | null = null;
  private lastShared: readonly ACL[] | null = null;

  constructor() {
    this.addBuiltins();
  }

  /**
   * Back to a fresh tree (only the built-in nodes): for a restore that turned out to come from a
   * damaged snapshot, before the next one is tried.
   */
  reset(): void {
    this.nodes.clear();
    this.ephemerals.clear();
    this.containers.clear();
    this.ttls.clear();
    this.addBuiltins();
  }

  private addBuiltins(): void {
    // ZooKeeper's built-in nodes hold empty data, not null (clients see b"" / a zero-length array)
    const root = new ZNode(Buffer.alloc(0), OPEN_ACL_UNSAFE, 0n, 0, 0n);
    this.nodes.set('/', root);
    // ZooKeeper's approximateDataSize counts the built-in nodes' paths too
    this.dataSize = 1;
    this.addBuiltin('/zookeeper', OPEN_ACL_UNSAFE);
    this.addBuiltin('/zookeeper/quota', OPEN_ACL_UNSAFE);
    // ZooKeeper creates the config node with aversion -1 (it is only written by reconfig).
    this.addBuiltin('/zookeeper/config', READ_ACL_UNSAFE).aversion = -1;
  }

  /** Built-in nodes were never "created": their parents' create counters stay 0. */
  private addBuiltin(path: string, acl: readonly ACL[]): ZNode {
    const node = new ZNode(Buffer.alloc(0), acl, 0n, 0, 0n);
    this.nodes.set(path, node);
    this.linkChild(path, node);
    this.dataSize += path.length;
    return node;
  }

  /** Every distinct ACL list in use (the interned copies). */
  aclLists(): Array<readonly ACL[]> {
    return [...this.aclCache.values()];
  }

  /** The shared copy of an ACL list. */
  internACL(acl: readonly ACL[]): readonly ACL[] {
    // a list decoded from a request is a fresh array, mostly the same as the last one
    const last = this.lastShared;
    if (last !== null && (acl === this.lastFrozen || sameACL(acl, last))) return last;
    if (this.interned.has(acl)) return acl;
    let key = '';
    for (const a of acl) key += `${a.perms}\u0000${a.id.scheme}\u0000${a.id.id}\u0001`;
    let shared = this.aclCache.get(key);
    if (!shared) {
      shared = frozenACL(acl);
      this.aclCache.set(key, shared);
      this.interned.add(shared);
    }
    // (the identity shortcut only for a frozen list: a caller could change an ordinary array and pass it again)
    this.lastFrozen = Object.isFrozen(acl) && acl.every((a) => Object.isFrozen(a) && Object.isFrozen(a.id)) ? acl : null;
    this.lastShared = shared;
    return shared;
  }

  get(path: string): ZNode | undefined {
    return this.nodes.get(path);
  }

  get nodeCount(): number {
    return this.nodes.size;
  }

  /** Sum of path lengths and data lengths, like ZooKeeper's approximateDataSize. */
  get approximateDataSize(): number {
    return this.dataSize;
  }

  get ephemeralCount(): number {
    let n = 0;
    for (const paths of this.ephemerals.values()) n += paths.size;
    return n;
  }

  private linkChild(path: string, node: ZNode): void {
    const parentName = parentPath(path);
    this.listChild(this.nodes.get(parentName)!, parentName, path, node);
  }

  /** Lists `node` (at `path`) among the children of `parent` (at `parentName`), which gets its list with its first child. */
  private listChild(parent: ZNode, parentName: string, path: string, node: ZNode): void {
    (parent.children ??= new ChildNames(parentName)).add(path, node);
  }

  /**
   * Adds a node. `parentCreates` is the parent's new child-create counter (absolute, so
   * replaying a txn twice leaves the same state). Returns false if the node already existed
   * (replay of a txn a fuzzy snapshot already holds). `events`, here and in delete and setData:
   * where a live change reports its events; null for a live change nobody is to be told of (no
   * watch is set); undefined for the replay of a logged txn.
   */
  create(path: string, data: Buffer | null, acl: readonly ACL[], owner: bigint, zxid: bigint, time: number, parentCreates: number, events?: TreeEvent[] | null): boolean {
    const parentName = parentPath(path);
    const parent = this.nodes.get(parentName);
    if (!parent) {
      // Replay (no events) after a fuzzy snapshot: the parent was deleted before the snapshot
      // got to it, so its delete comes later in the log, and this node's delete before that
      // (a parent with children cannot be deleted). Skip it, as ZooKeeper's replay does.
      if (events === undefined) return false;
      throw new Error(`tree: parent of ${path} is missing`);
    }
    if (parent.childCreates < parentCreates) parent.childCreates = parentCreates;
    if (parent.pzxid < zxid) parent.pzxid = zxid;
    const existing = this.nodes.get(path);
    if (existing) {
      // Replay after a fuzzy snapshot that holds a later incarnation of the parent with this
      // child: the log's delete of the parent's earlier incarnation removed the parent and left
      // the child unlisted, and the parent's re-create made it a fresh node. The child is
      // the one this txn made: list it under its parent again.
      if (events === undefined) this.listChild(parent, parentName, path, existing);
      return false;
    }
    const node = new ZNode(null, this.internACL(acl), zxid, time, owner);
    this.slabs.store(node, data);
    this.nodes.set(path, node);
    this.listChild(parent, parentName, path, node);
    this.dataSize += path.length + (data ? data.length : 0);
    this.index(path, owner);
    if (events) {
      events.push({ type: EventType.NodeCreated, path, acl });
      events.push({ type: EventType.NodeChildrenChanged, path: parentName, acl: parent.acl });
    }
    return true;
  }

  /** Gives a node (a new one, not yet in the tree) a copy of `data` in the tree's data slabs. */
  storeData(node: ZNode, data: Uint8Array | null): void {
    this.slabs.store(node, data);
  }

  /** Puts a node read from a snapshot in place (its parent is already loaded). */
  load(path: string, node: ZNode): void {
    const existing = this.nodes.get(path);
    if (existing) {
      this.takePlace(path, existing, node);
    } else if (path !== '/') {
      const parentName = parentPath(path);
      const parent = this.nodes.get(parentName);
      if (!parent) throw new Error(`snapshot: parent of ${path} is missing`);
      this.listChild(parent, parentName, path, node);
    }
    node.acl = this.internACL(node.acl);
    this.nodes.set(path, node);
    this.dataSize += path.length + node.dataLength;
    this.index(path, node.ephemeralOwner);
  }

  /**
   * Puts a node read from a snapshot in place in a fresh tree, for the snapshot loader: `slash`
   * is the index of the last '/' in `path`, `parent` the parent node if the caller has it at hand
   * (else it is looked up), and `node.acl` is already interned.
   */
  loadChild(path: string, slash: number, node: ZNode, parent: ZNode | undefined): void {
    // Into a fresh tree: only the reserved nodes are there already (no lookup for the others).
    // (every reserved path but '/', which load() takes, starts with "/z": most paths need no lookup)
    const existing = path.charCodeAt(1) === 122 && RESERVED_PATHS.has(path) ? this.nodes.get(path) : undefined;
    if (existing) {
      this.takePlace(path, existing, node);
    } else {
      parent ??= this.nodes.get(slash === 0 ? '/' : path.slice(0, slash));
      if (!parent) throw new Error(`snapshot: parent of ${path} is missing`);
      // (the parent's path is made only for its first child: a ChildNames needs its length)
      if (parent.children) parent.children.add(path, node);
      else this.listChild(parent, slash === 0 ? '/' : path.slice(0, slash), path, node);
    }
    const size = this.nodes.size;
    this.nodes.set(path, node);
    // (a snapshot never lists a node twice: see snapshotChunks)
    if (!existing && this.nodes.size === size) throw new Error(`snapshot: ${path} is listed twice (or the tree was not fresh)`);
    this.dataSize += path.length + node.dataLength;
    if (node.ephemeralOwner !== 0n) this.index(path, node.ephemeralOwner);
  }

  /** A node read from a snapshot takes the place of the one at its path (a built-in node): its children and its place under its parent. */
  private takePlace(path: string, existing: ZNode, node: ZNode): void {
    node.children = existing.children;
    if (path !== '/') this.nodes.get(parentPath(path))?.children?.replace(existing, node);
    this.dataSize -= path.length + existing.dataLength;
  }

  private unindex(path: string, owner: bigint): void {
    if (isEphemeralOwner(owner)) {
      const set = this.ephemerals.get(owner);
      if (set) {
        set.delete(path);
        if (set.size === 0) this.ephemerals.delete(owner);
      }
    } else if (isContainerOwner(owner)) {
      this.containers.delete(path);
    } else if (isTtlOwner(owner)) {
      this.ttls.delete(path);
    }
  }

  private index(path: string, owner: bigint): void {
    if (isEphemeralOwner(owner)) {
      let set = this.ephemerals.get(owner);
      if (!set) this.ephemerals.set(owner, (set = new Set()));
      set.add(path);
    } else if (isContainerOwner(owner)) {
      this.containers.add(path);
    } else if (isTtlOwner(owner)) {
      this.ttls.add(path);
    }
  }

  /** Removes a node (it has no children). Returns false if it did not exist. */
  delete(path: string, zxid: bigint, events?: TreeEvent[] | null): boolean {
    const parentName = parentPath(path);
    const parent = this.nodes.get(parentName);
    // The parent's pzxid moves even when a replayed delete finds the node already gone.
    if (parent && parent.pzxid < zxid) parent.pzxid = zxid;
    const node = this.nodes.get(path);
    if (!node) return false;
    // Replaying the log over a fuzzy snapshot (no events): a node can only be deleted once it has
    // no children, so any it has here were created after this txn and written by the snapshot
    // meanwhile; they go too, and the txns that created them (later in the log) bring them back.
    if (events === undefined && node.children && node.children.size > 0) {
      for (const child of [...node.children.paths()]) this.delete(child, zxid);
    }
    this.nodes.delete(path);
    parent?.children?.remove(node);
    this.dataSize -= path.length + node.dataLength;
    this.unindex(path, node.ephemeralOwner);
    if (events) {
      events.push({ type: EventType.NodeDeleted, path, acl: node.acl });
      if (parent) events.push({ type: EventType.NodeChildrenChanged, path: parentName, acl: parent.acl });
    }
    return true;
  }

  /** Sets data with an absolute new version (idempotent on replay). */
  setData(path: string, data: Buffer | null, version: number, zxid: bigint, time: number, events?: TreeEvent[] | null): boolean {
    const node = this.nodes.get(path);
    if (!node) return false;
    this.dataSize += (data ? data.length : 0) - node.dataLength;
    this.slabs.store(node, data);
    node.version = version;
    node.mzxid = zxid;
    node.mtime = time;
    if (events) events.push({ type: EventType.NodeDataChanged, path, acl: node.acl });
    return true;
  }

  /**
   * Puts back what a setData replaced (undo): the data where it was (`bytes`, `offset`, `length`
   * as the node's dataBuffer, dataOffset and dataLength gave them), version, mzxid and mtime.
   */
  restoreData(path: string, bytes: ArrayBuffer | null, offset: number, length: number, version: number, mzxid: bigint, mtime: number): boolean {
    const node = this.nodes.get(path);
    if (!node) return false;
    this.dataSize += length - node.dataLength;
    node.setBytes(bytes, offset, length);
    node.version = version;
    node.mzxid = mzxid;
    node.mtime = mtime;
    return true;
  }

  setACL(path: string, acl: readonly ACL[], aversion: number): boolean {
    const node = this.nodes.get(path);
    if (!node) return false;
    node.acl = this.internACL(acl);
    node.aversion = aversion;
    return true;
  }

  /** Number of descendants of `path` (getAllChildrenNumber); iterative, so deep trees are fine. */
  countDescendants(path: string): number {
    let n = 0;
    const stack = [path];
    while (stack.length > 0) {
      const p = stack.pop()!;
      const children = this.nodes.get(p)?.children;
      if (!children) continue;
      for (const child of children.paths()) {
        n++;
        stack.push(child);
      }
    }
    return n;
  }
}
