import type { ACL } from '../protocol/records.js';
import type { DataTree } from '../tree/data-tree.js';
import type { ZNode } from '../tree/znode.js';

/**
 * What validation needs to know of a node, as it will be after the ops validated so far. A
 * state handed out by a PendingView belongs to it: ops change it in place.
 */
export interface NodeState {
  version: number;
  aversion: number;
  childCreates: number;
  owner: bigint;
  acl: readonly ACL[];
  /**
   * The tree's node this state started from (null for a node the ops create) and the children
   * the ops added (+) or removed (-): the count itself is only taken when an op needs it
   * (delete's NOTEMPTY), since counting a large child set can cost more than the whole create.
   */
  node: ZNode | null;
  childDelta: number;
}

/** How many children the node has, as it will be after the ops validated so far. */
export function childCount(state: NodeState): number {
  return (state.node ? state.node.numChildren : 0) + state.childDelta;
}

/**
 * The tree as a multi sees it while it is validated: earlier ops' effects overlaid on the
 * real tree, nothing applied (ZooKeeper's outstanding ChangeRecords). If any op fails, the
 * overlay is dropped and the tree was never touched.
 *
 * The first two paths are kept in fields and a Map is made only for a third: a single write
 * touches at most two (the node and its parent), and a Map per write was a good part of the
 * garbage each request leaves (see reset()).
 */
export class PendingView {
  private path0: string | null = null;
  private state0: NodeState | null = null;
  private path1: string | null = null;
  private state1: NodeState | null = null;
  private more: Map<string, NodeState | null> | null = null;

  constructor(private readonly tree: DataTree) {}

  /** Drops every change, so one view can serve write after write. */
  reset(): void {
    this.path0 = this.path1 = null;
    this.state0 = this.state1 = null;
    this.more = null;
  }

  get(path: string): NodeState | null {
    // (undefined: the ops have not touched the path; null: they deleted it)
    const change = path === this.path0 ? this.state0 : path === this.path1 ? this.state1 : this.more?.get(path);
    if (change !== undefined) return change;
    const node = this.tree.get(path);
    if (!node) return null;
    const state: NodeState = {
      version: node.version,
      aversion: node.aversion,
      childCreates: node.childCreates,
      owner: node.ephemeralOwner,
      acl: node.acl,
      node,
      childDelta: 0,
    };
    this.set(path, state);
    return state;
  }

  set(path: string, state: NodeState | null): void {
    if (this.path0 === null || path === this.path0) {
      this.path0 = path;
      this.state0 = state;
    } else if (this.path1 === null || path === this.path1) {
      this.path1 = path;
      this.state1 = state;
    } else {
      (this.more ??= new Map()).set(path, state);
    }
  }
}
