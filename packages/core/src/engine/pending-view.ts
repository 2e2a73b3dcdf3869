import type { ACL } from '../protocol/records.js';
import type { DataTree } from '../tree/data-tree.js';
import type { ZNode } from '../tree/znode.js';

/** What validation needs to know of a node, as it will be after the ops validated so far. */
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
 */
export class PendingView {
  private readonly changes = new Map<string, NodeState | null>();

  constructor(private readonly tree: DataTree) {}

  get(path: string): NodeState | null {
    const change = this.changes.get(path);
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
    this.changes.set(path, state);
    return state;
  }

  set(path: string, state: NodeState | null): void {
    this.changes.set(path, state);
  }
}
