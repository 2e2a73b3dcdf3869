import { EventType, KeeperState } from '@zoo/core';

/** What a watcher receives: ZooKeeper's WatchedEvent (path is client-side, chroot removed). */
export interface WatchedEvent {
  type: EventType;
  state: KeeperState;
  path: string | null;
}

export type WatchListener = (event: WatchedEvent) => void;

type Table = Map<string, Set<WatchListener>>;

/**
 * The client's side of watches (the Java client's ZKWatchManager). The server sends one
 * notification per event per connection; this fans it out to the listeners registered for
 * it. One-shot tables are emptied as they fire; a listener registered twice for the same path
 * and kind is one watch.
 */
export class WatchRegistry {
  readonly data: Table = new Map();
  readonly exist: Table = new Map();
  readonly child: Table = new Map();
  readonly persistent: Table = new Map();
  readonly recursive: Table = new Map();

  add(table: Table, path: string, listener: WatchListener): void {
    let set = table.get(path);
    if (!set) table.set(path, (set = new Set()));
    set.add(listener);
  }

  /** The listeners a server event reaches (one-shot ones are removed). */
  take(type: EventType, path: string): Set<WatchListener> {
    const out = new Set<WatchListener>();
    const drain = (table: Table) => {
      const set = table.get(path);
      if (!set) return;
      table.delete(path);
      for (const l of set) out.add(l);
    };
    switch (type) {
      case EventType.NodeCreated:
      case EventType.NodeDataChanged:
        drain(this.data);
        drain(this.exist);
        break;
      case EventType.NodeDeleted:
        drain(this.data);
        drain(this.exist);
        drain(this.child);
        break;
      case EventType.NodeChildrenChanged:
        drain(this.child);
        break;
    }
    for (const l of this.persistent.get(path) ?? []) out.add(l);
    if (type !== EventType.NodeChildrenChanged && this.recursive.size > 0) {
      for (let p = path; ; p = parentOf(p)) {
        for (const l of this.recursive.get(p) ?? []) out.add(l);
        if (p === '/') break;
      }
    }
    return out;
  }

  /** Removes listeners (all of them when `listener` is undefined) from the given tables; true if any was there. */
  remove(tables: Table[], path: string, listener?: WatchListener): boolean {
    let removed = false;
    for (const table of tables) {
      const set = table.get(path);
      if (!set) continue;
      if (listener) removed = set.delete(listener) || removed;
      else {
        removed = removed || set.size > 0;
        set.clear();
      }
      if (set.size === 0) table.delete(path);
    }
    return removed;
  }

  get isEmpty(): boolean {
    return this.data.size + this.exist.size + this.child.size + this.persistent.size + this.recursive.size === 0;
  }

  /** Every listener, each once; the registry is emptied (session expired or client closed). */
  drainAll(): Set<WatchListener> {
    const out = new Set<WatchListener>();
    for (const table of [this.data, this.exist, this.child, this.persistent, this.recursive]) {
      for (const set of table.values()) for (const l of set) out.add(l);
      table.clear();
    }
    return out;
  }
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}
