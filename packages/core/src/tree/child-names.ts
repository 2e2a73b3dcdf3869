/** Below this many entries (holes included) the list is never compacted. */
const COMPACT_FROM = 32;

/** What a child is to the list: a node that keeps its place in it (a ZNode). */
export interface Listed {
  /** Where the node is in its parent's list (-1: not listed there). */
  childSlot: number;
}

/**
 * The children of a node: each child's path (the very string that keys the tree's path index,
 * so a child costs no string of its own; a name is cut from it only when one is asked for) and
 * its node, in the order they were added. A child's place in the list is kept in its node
 * (`ZNode.childSlot`), so adding, finding and removing a child hash nothing: the tree's path
 * index already says which nodes exist. A restart that links 1M children under one parent
 * appends them (~20 ns each), where a hash set cost 0.2–0.3 µs per child (every insert a
 * random cache line of a table of tens of MiB).
 *
 * A removed child leaves a hole, dropped once holes outnumber children. Iteration is not live:
 * do not change the children while iterating (take toArray() or a copy of paths()).
 */
export class ChildNames<N extends Listed = Listed> implements Iterable<string> {
  /** Where a child's name starts in its path: after the parent's path and a '/'. */
  private readonly at: number;
  /** path, node, path, node, …: two items per child (a hole is two undefined). */
  private items: Array<string | N | undefined> = [];
  private count = 0;

  /** The children of the node at `parent` (its path). */
  constructor(parent = '/') {
    this.at = parent === '/' ? 1 : parent.length + 1;
  }

  get size(): number {
    return this.count;
  }

  /** Lists `node`, the child at `path` (pass the tree's own string for it, to share it), unless it is listed here already. */
  add(path: string, node: N): void {
    // (a childSlot can be a stale place in the list of a parent deleted and created again in a replay: checked)
    if (node.childSlot >= 0 && this.items[node.childSlot + 1] === node) return;
    node.childSlot = this.items.length;
    this.items.push(path, node);
    this.count++;
  }

  /** Takes `node` off the list; false if it was not on it. */
  remove(node: N): boolean {
    const slot = node.childSlot;
    if (slot < 0 || this.items[slot + 1] !== node) return false;
    this.items[slot] = undefined;
    this.items[slot + 1] = undefined;
    node.childSlot = -1;
    this.count--;
    if (this.items.length >= COMPACT_FROM && this.count * 4 < this.items.length) this.compact();
    return true;
  }

  /** Puts `node` in the place of `old` (a node replaced at the same path: a built-in one by a snapshot's). */
  replace(old: N, node: N): void {
    const slot = old.childSlot;
    if (slot < 0 || this.items[slot + 1] !== old) return;
    this.items[slot + 1] = node;
    node.childSlot = slot;
    old.childSlot = -1;
  }

  /** The names as an array, in the order they were added. */
  toArray(): string[] {
    const out = new Array<string>(this.count);
    const items = this.items;
    const at = this.at;
    let n = 0;
    for (let i = 0; i < items.length; i += 2) {
      const path = items[i] as string | undefined;
      if (path !== undefined) out[n++] = path.slice(at);
    }
    return out;
  }

  /** The names, in toArray's order. */
  *[Symbol.iterator](): Iterator<string> {
    const at = this.at;
    for (const path of this.paths()) yield path.slice(at);
  }

  /** The children's paths, in toArray's order. */
  *paths(): Generator<string> {
    const items = this.items;
    for (let i = 0; i < items.length; i += 2) {
      const path = items[i] as string | undefined;
      if (path !== undefined) yield path;
    }
  }

  /** Drops the holes, giving every child its new place. */
  private compact(): void {
    const items = this.items;
    const kept = new Array<string | N | undefined>(this.count * 2);
    let n = 0;
    for (let i = 0; i < items.length; i += 2) {
      const node = items[i + 1] as N | undefined;
      if (node === undefined) continue;
      kept[n] = items[i];
      kept[n + 1] = node;
      node.childSlot = n;
      n += 2;
    }
    this.items = kept;
  }
}
