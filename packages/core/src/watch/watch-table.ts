import type { Watcher } from './watcher.js';

/** Watch mode bits of one (path, watcher) entry. A path can hold several at once. */
export const WatchBits = {
  STANDARD: 1,
  PERSISTENT: 2,
  RECURSIVE: 4,
} as const;

/**
 * One of ZooKeeper's two watch tables (data or child): path → watcher → mode bits, with the
 * reverse index for dropping a connection's watches, and a count of recursive entries so that
 * ancestors are only walked when a recursive watch exists.
 */
export class WatchTable {
  readonly byPath = new Map<string, Map<Watcher, number>>();
  readonly byWatcher = new Map<Watcher, Set<string>>();
  private recursiveCount = 0;

  /** No watch on any path. */
  get empty(): boolean {
    return this.byPath.size === 0;
  }

  get size(): number {
    let n = 0;
    for (const m of this.byPath.values()) n += m.size;
    return n;
  }

  add(path: string, watcher: Watcher, bit: number): void {
    let entries = this.byPath.get(path);
    if (!entries) this.byPath.set(path, (entries = new Map()));
    const before = entries.get(watcher) ?? 0;
    if (before & bit) return;
    entries.set(watcher, before | bit);
    if (bit === WatchBits.RECURSIVE) this.recursiveCount++;
    let paths = this.byWatcher.get(watcher);
    if (!paths) this.byWatcher.set(watcher, (paths = new Set()));
    paths.add(path);
  }

  bits(path: string, watcher: Watcher): number {
    return this.byPath.get(path)?.get(watcher) ?? 0;
  }

  /** Clears `bits` of the entry; returns the bits that were actually set. */
  remove(path: string, watcher: Watcher, bits: number): number {
    const entries = this.byPath.get(path);
    const before = entries?.get(watcher) ?? 0;
    const removed = before & bits;
    if (!removed || !entries) return 0;
    const after = before & ~bits;
    if (removed & WatchBits.RECURSIVE) this.recursiveCount--;
    if (after) {
      entries.set(watcher, after);
    } else {
      entries.delete(watcher);
      if (entries.size === 0) this.byPath.delete(path);
      const paths = this.byWatcher.get(watcher);
      paths?.delete(path);
      if (paths?.size === 0) this.byWatcher.delete(watcher);
    }
    return removed;
  }

  removeWatcher(watcher: Watcher): void {
    const paths = this.byWatcher.get(watcher);
    if (!paths) return;
    for (const path of [...paths]) this.remove(path, watcher, WatchBits.STANDARD | WatchBits.PERSISTENT | WatchBits.RECURSIVE);
  }

  /** Whether trigger() could find anyone for `path` (without making anything). */
  mayFire(path: string, includeAncestors: boolean): boolean {
    return this.byPath.has(path) || (includeAncestors && this.recursiveCount > 0);
  }

  /**
   * The watchers an event on `path` reaches: every entry on the path itself, and recursive
   * entries on its ancestors. Standard entries are consumed (one-shot).
   */
  trigger(path: string, out: Set<Watcher>, includeAncestors: boolean): void {
    this.collect(path, out, false);
    if (!includeAncestors || this.recursiveCount === 0) return;
    let p = path;
    while (p !== '/') {
      const i = p.lastIndexOf('/');
      p = i <= 0 ? '/' : p.slice(0, i);
      this.collect(p, out, true);
    }
  }

  private collect(path: string, out: Set<Watcher>, ancestor: boolean): void {
    const entries = this.byPath.get(path);
    if (!entries) return;
    for (const [watcher, bits] of entries) {
      if (ancestor) {
        if (bits & WatchBits.RECURSIVE) out.add(watcher);
        continue;
      }
      out.add(watcher);
      if (bits & WatchBits.STANDARD) this.remove(path, watcher, WatchBits.STANDARD);
    }
  }
}
