import { EventType, WatcherType } from '../protocol/opcodes.js';
import type { TreeEvent } from '../tree/data-tree.js';
import { WatchBits, WatchTable } from './watch-table.js';
import type { Watcher } from './watcher.js';

const NO_WATCHERS: ReadonlySet<Watcher> = new Set();

/**
 * Server-side watches (ZooKeeper's WatchManager pair). Exist and data watches live in the data
 * table; child watches in the child table; a persistent watch sits in both, a recursive one in
 * the data table only — so recursive watchers never see NodeChildrenChanged.
 */
export class WatchManager {
  readonly data = new WatchTable();
  readonly child = new WatchTable();

  addDataWatch(path: string, watcher: Watcher): void {
    this.data.add(path, watcher, WatchBits.STANDARD);
  }

  addChildWatch(path: string, watcher: Watcher): void {
    this.child.add(path, watcher, WatchBits.STANDARD);
  }

  addPersistentWatch(path: string, watcher: Watcher, recursive: boolean): void {
    if (recursive) {
      this.data.add(path, watcher, WatchBits.RECURSIVE);
    } else {
      this.data.add(path, watcher, WatchBits.PERSISTENT);
      this.child.add(path, watcher, WatchBits.PERSISTENT);
    }
  }

  /** No watch of any kind on any path: no event reaches anyone. */
  get empty(): boolean {
    return this.data.empty && this.child.empty;
  }

  /** The watchers an event reaches, each once (one notification per connection per event). */
  trigger(event: TreeEvent): ReadonlySet<Watcher> {
    // (most events meet no watch, even where watches are set elsewhere: no set to make)
    if (!this.mayFire(event)) return NO_WATCHERS;
    const out = new Set<Watcher>();
    switch (event.type) {
      case EventType.NodeCreated:
      case EventType.NodeDataChanged:
        this.data.trigger(event.path, out, true);
        break;
      case EventType.NodeDeleted:
        this.data.trigger(event.path, out, true);
        this.child.trigger(event.path, out, false);
        break;
      case EventType.NodeChildrenChanged:
        this.child.trigger(event.path, out, false);
        break;
    }
    return out;
  }

  private mayFire(event: TreeEvent): boolean {
    switch (event.type) {
      case EventType.NodeCreated:
      case EventType.NodeDataChanged:
        return this.data.mayFire(event.path, true);
      case EventType.NodeDeleted:
        return this.data.mayFire(event.path, true) || this.child.mayFire(event.path, false);
      case EventType.NodeChildrenChanged:
        return this.child.mayFire(event.path, false);
      default:
        return false;
    }
  }

  /** Does this watcher hold a watch of `type` on `path` (checkWatches)? */
  has(path: string, watcher: Watcher, type: WatcherType): boolean {
    const [dataBits, childBits] = bitsFor(type);
    return (this.data.bits(path, watcher) & dataBits) !== 0 || (this.child.bits(path, watcher) & childBits) !== 0;
  }

  /** Removes this watcher's watches of `type` on `path`; true if anything was removed. */
  remove(path: string, watcher: Watcher, type: WatcherType): boolean {
    const [dataBits, childBits] = bitsFor(type);
    const a = this.data.remove(path, watcher, dataBits);
    const b = this.child.remove(path, watcher, childBits);
    return a !== 0 || b !== 0;
  }

  removeWatcher(watcher: Watcher): void {
    this.data.removeWatcher(watcher);
    this.child.removeWatcher(watcher);
  }

  /** Number of (path, watcher) entries across both tables (wchs "Total watches"). */
  get count(): number {
    return this.data.size + this.child.size;
  }

  get watchedPaths(): number {
    const paths = new Set([...this.data.byPath.keys(), ...this.child.byPath.keys()]);
    return paths.size;
  }

  /** Paths per watcher; ZooKeeper's wchc reports the data table only (`all` adds child watches). */
  byWatcher(which: 'data' | 'all' = 'data'): Map<Watcher, string[]> {
    const out = new Map<Watcher, Set<string>>();
    for (const table of which === 'data' ? [this.data] : [this.data, this.child]) {
      for (const [w, paths] of table.byWatcher) {
        let s = out.get(w);
        if (!s) out.set(w, (s = new Set()));
        for (const p of paths) s.add(p);
      }
    }
    return new Map([...out].map(([w, s]) => [w, [...s]]));
  }

  /** Watchers per path; ZooKeeper's wchp reports the data table only (`all` adds child watches). */
  byPath(which: 'data' | 'all' = 'data'): Map<string, Watcher[]> {
    const out = new Map<string, Set<Watcher>>();
    for (const table of which === 'data' ? [this.data] : [this.data, this.child]) {
      for (const [p, entries] of table.byPath) {
        let s = out.get(p);
        if (!s) out.set(p, (s = new Set()));
        for (const w of entries.keys()) s.add(w);
      }
    }
    return new Map([...out].map(([p, s]) => [p, [...s]]));
  }
}

/** [data-table bits, child-table bits] a WatcherType covers (ZooKeeper 3.9 semantics). */
function bitsFor(type: WatcherType): [number, number] {
  const all = WatchBits.STANDARD | WatchBits.PERSISTENT | WatchBits.RECURSIVE;
  switch (type) {
    case WatcherType.Children:
      return [0, WatchBits.STANDARD];
    case WatcherType.Data:
      return [WatchBits.STANDARD, 0];
    case WatcherType.Any:
      return [all, all];
    case WatcherType.Persistent:
      return [WatchBits.PERSISTENT, WatchBits.PERSISTENT];
    case WatcherType.PersistentRecursive:
      return [WatchBits.RECURSIVE, 0];
    default:
      return [0, 0];
  }
}
