import { EventEmitter } from 'node:events';
import { AddWatchMode, EventType, validatePath, WatcherType, ZooError, ZooErrorCode, type Stat } from '@zoo/core';
import { isDisconnection, type WatchedEvent, type ZooClient, type ZooSession } from '@zoo/client';
import { EventStream } from './event-stream.js';
import { depthBelow, joinPath, nameOf, parentOf } from './paths.js';

/**
 * An in-memory mirror of a subtree (data + Stat of every node), Apache Curator's CuratorCache
 * and TreeCache. It only reads, so it shares paths with Curator's caches and writers freely:
 *
 *   <path>                 the root (may not exist yet; it is picked up when created)
 *   <path>/<a>/<b>...      every node down to `maxDepth` that the selector lets in
 *
 * How it stays true:
 * - Watches: one persistent recursive watch on the root (addWatch, ZooKeeper 3.6+ and
 *   ZooServer), as CuratorCache does; with `watchMode: 'oneShot'`, or when the server answers
 *   UNIMPLEMENTED, one-shot data and child watches on every cached node, as TreeCache does.
 * - An event (created / data changed) re-reads that node; a deletion drops it and its subtree.
 *   A node is listed again only when its cversion moved.
 * - Every read of a path carries a generation number; a reply is applied only if no later
 *   event or read of that path was started since, so replies overtaken by a newer event never
 *   bring back a stale state.
 * - After a reconnect (same session) events may have been missed: the whole tree is walked
 *   again and only differences are emitted (compared by mzxid — a node deleted and created
 *   again shows as `changed`). After session expiry the watch is set again on the new session
 *   and the tree walked the same way.
 *
 * Events: `added` / `changed` / `removed` (each with the node's ChildData), `initialized` once
 * after the first full load, and `error` for failures other than a lost connection (emitted
 * only if someone listens). `events()` gives the same as an async iterator. `synced` (not in
 * the iterator) follows every completed full walk: the first load, and each re-sync.
 */

export interface ChildData {
  readonly path: string;
  readonly stat: Stat;
  /** null when the node holds none, or when the cache was made with `cacheData: false`. */
  readonly data: Buffer | null;
}

export type TreeCacheEvent =
  | { type: 'added'; path: string; node: ChildData }
  | { type: 'changed'; path: string; node: ChildData; previous: ChildData }
  | { type: 'removed'; path: string; previous: ChildData }
  | { type: 'initialized' };

/** Curator's TreeCacheSelector: which nodes are kept and which are descended into. */
export interface TreeCacheSelector {
  /** Are the children of this node read? (default yes) */
  traverseChildren?(fullPath: string): boolean;
  /** Is this node (and so its subtree) kept? Never asked for the root. (default yes) */
  acceptChild?(fullPath: string): boolean;
}

export interface TreeCacheOptions {
  /** Levels below the root that are cached: 0 = the root only, 1 = its children; default unlimited. */
  maxDepth?: number;
  selector?: TreeCacheSelector;
  /** 'auto' (default): persistent recursive watch, one-shot watches if the server has no addWatch. */
  watchMode?: 'auto' | 'persistent' | 'oneShot';
  /** Keep each node's data (default true); false keeps the Stat only. */
  cacheData?: boolean;
}

type State = 'latent' | 'started' | 'closed';

export class TreeCache extends EventEmitter implements AsyncDisposable, AsyncIterable<TreeCacheEvent> {
  private readonly nodes = new Map<string, ChildData>();
  /** parent path → full paths of its cached children */
  private readonly kids = new Map<string, Set<string>>();
  /** path → generation of the latest read or event for it */
  private readonly generation = new Map<string, number>();
  private counter = 0;
  private state: State = 'latent';
  private client?: ZooClient;
  private watchOn?: ZooClient;
  private mode: 'persistent' | 'oneShot';
  private initialized = false;
  private readonly initWaiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  private readonly streams = new Set<EventStream<TreeCacheEvent>>();
  private readonly maxDepth: number;
  private readonly onSession = (client: ZooClient) => void this.bind(client);
  private readonly onReconnected = (client: ZooClient) => {
    if (client !== this.client) return;
    if (this.mode === 'persistent' && this.watchOn !== client) void this.bind(client);
    else void this.resync(client);
  };
  private readonly onWatch = (event: WatchedEvent) => this.handle(event);

  constructor(
    private readonly session: ZooSession,
    readonly path: string,
    private readonly options: TreeCacheOptions = {},
  ) {
    super();
    validatePath(path);
    const depth = options.maxDepth ?? Infinity;
    if (!(depth >= 0) || (Number.isFinite(depth) && !Number.isInteger(depth))) throw new RangeError(`maxDepth must be a non-negative integer, got ${options.maxDepth}`);
    this.maxDepth = depth;
    this.mode = options.watchMode === 'oneShot' ? 'oneShot' : 'persistent';
  }

  /** Which watches are in use: 'persistent' (one recursive watch) or 'oneShot'. */
  get watchMode(): 'persistent' | 'oneShot' {
    return this.mode;
  }

  /** Starts caching; resolves once the first full load is done (`initialized`). */
  async start(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.state !== 'latent') throw new Error(`TreeCache ${this.path}: already ${this.state}`);
    this.state = 'started';
    if (!this.session.started) {
      try {
        await this.session.start();
      } catch (err) {
        // not started after all: a later start() may try again
        if (this.state === 'started') this.state = 'latent';
        throw err;
      }
    }
    if (this.state !== 'started') throw new Error(`TreeCache ${this.path}: closed before it was initialized`);
    const ready = new Promise<void>((resolve, reject) => this.initWaiters.push({ resolve, reject }));
    this.session.on('session', this.onSession);
    this.session.on('reconnected', this.onReconnected);
    void this.bind(this.session.client);
    if (!options.signal) return ready;
    options.signal.throwIfAborted();
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(options.signal!.reason);
      options.signal!.addEventListener('abort', onAbort, { once: true });
      ready.then(resolve, reject).finally(() => options.signal!.removeEventListener('abort', onAbort));
    });
  }

  /** The cached node at `path`, if any. */
  get(path: string): ChildData | undefined {
    return this.nodes.get(path);
  }

  /** The cached children of `path`, name → ChildData (empty if none or not cached). */
  children(path: string): Map<string, ChildData> {
    const out = new Map<string, ChildData>();
    for (const child of [...(this.kids.get(path) ?? [])].sort()) out.set(nameOf(child), this.nodes.get(child)!);
    return out;
  }

  /** Number of cached nodes (the root included when it exists). */
  get size(): number {
    return this.nodes.size;
  }

  /** Every cached node (no particular order). */
  entries(): IterableIterator<ChildData> {
    return this.nodes.values();
  }

  get isInitialized(): boolean {
    return this.initialized;
  }

  /** The events from now on as an async iterator; it ends when the cache closes. */
  events(): AsyncIterableIterator<TreeCacheEvent> {
    const stream = new EventStream<TreeCacheEvent>((s) => this.streams.delete(s));
    if (this.state === 'closed') stream.end();
    else this.streams.add(stream);
    return stream;
  }

  [Symbol.asyncIterator](): AsyncIterator<TreeCacheEvent> {
    return this.events();
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    const wasStarted = this.state === 'started';
    this.state = 'closed';
    this.session.off('session', this.onSession);
    this.session.off('reconnected', this.onReconnected);
    for (const w of this.initWaiters.splice(0)) w.reject(new Error(`TreeCache ${this.path}: closed before it was initialized`));
    for (const s of this.streams) s.end();
    this.streams.clear();
    const client = this.client;
    if (wasStarted && client) {
      const w = client.watches;
      for (const path of this.nodes.keys()) w.remove([w.data, w.exist, w.child], path, this.onWatch);
      w.remove([w.exist], this.path, this.onWatch);
      if (this.watchOn === client) {
        // the server holds one watch per path and session: remove it only if no other cache on this client uses it
        const shared = [...(w.recursive.get(this.path) ?? [])].some((l) => l !== this.onWatch);
        if (!shared && client.state === 'connected') await client.removeWatches(this.path, WatcherType.PersistentRecursive, this.onWatch).catch(() => {});
        w.remove([w.recursive], this.path, this.onWatch);
      }
    }
    this.nodes.clear();
    this.kids.clear();
    this.generation.clear();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // ---- keeping the mirror ---------------------------------------------------------------

  /** A (new) client: set the watch, then walk the whole tree. */
  private async bind(client: ZooClient): Promise<void> {
    if (this.state !== 'started') return;
    this.client = client;
    if (this.mode === 'persistent' && this.watchOn !== client) {
      try {
        await client.addWatch(this.path, this.onWatch, AddWatchMode.PERSISTENT_RECURSIVE);
        this.watchOn = client;
      } catch (err) {
        if (err instanceof ZooError && err.code === ZooErrorCode.UNIMPLEMENTED && this.options.watchMode !== 'persistent') {
          this.mode = 'oneShot'; // ZooKeeper before 3.6: fall back to TreeCache's one-shot watches
        } else {
          this.fail(err);
          return;
        }
      }
    }
    await this.resync(client);
  }

  /** Walks the tree, reading every node again; only differences are emitted. */
  private async resync(client: ZooClient): Promise<void> {
    if (this.state !== 'started' || client !== this.client) return;
    try {
      await this.refresh(this.path, 0, true);
      if (client !== this.client || this.state !== 'started') return;
      if (!this.initialized) {
        this.initialized = true;
        this.publish({ type: 'initialized' });
        for (const w of this.initWaiters.splice(0)) w.resolve();
      }
      this.emit('synced');
    } catch (err) {
      this.fail(err);
    }
  }

  /**
   * Reads the whole tree again now (Curator's rebuild); resolves when done. Only differences
   * are emitted. Rejects only with errors other than a lost connection.
   */
  async rebuild(): Promise<void> {
    if (this.state !== 'started' || !this.client) throw new Error(`TreeCache ${this.path}: not started`);
    try {
      await this.refresh(this.path, 0, true);
    } catch (err) {
      if (!isDisconnection(err)) throw err;
    }
  }

  private handle(event: WatchedEvent): void {
    if (this.state !== 'started' || event.type === EventType.None || event.path === null) return;
    const path = event.path;
    const depth = depthBelow(this.path, path);
    if (depth < 0 || !this.inScope(path, depth)) return;
    switch (event.type) {
      case EventType.NodeCreated:
      case EventType.NodeDataChanged:
        void this.refresh(path, depth, false).catch((err) => this.fail(err));
        break;
      case EventType.NodeDeleted:
        this.bump(path); // a read of it still in flight is now stale
        this.remove(path);
        if (this.mode === 'oneShot' && path === this.path) void this.watchRootCreation().catch((err) => this.fail(err));
        break;
      case EventType.NodeChildrenChanged:
        void this.relist(path, depth).catch((err) => this.fail(err));
        break;
    }
  }

  private bump(path: string): number {
    const g = ++this.counter;
    this.generation.set(path, g);
    return g;
  }

  /** Reads `path` (and, if new, changed children or `force`, its children) into the mirror. */
  private async refresh(path: string, depth: number, force: boolean): Promise<void> {
    const client = this.client!;
    const oneShot = this.mode === 'oneShot';
    const g = this.bump(path);
    let read: { data: Buffer | null; stat: Stat };
    try {
      read = await client.getData(path, oneShot ? { watch: this.onWatch } : {});
    } catch (err) {
      if (!(err instanceof ZooError && err.code === ZooErrorCode.NONODE)) throw err;
      if (this.generation.get(path) !== g || client !== this.client) return;
      this.remove(path);
      if (oneShot && path === this.path) await this.watchRootCreation();
      return;
    }
    if (client !== this.client || this.state !== 'started') return;
    const previous = this.nodes.get(path);
    if (this.generation.get(path) === g) this.put(path, read, previous);
    else if (!force) return; // a newer event's read applies instead
    // (a walk whose read was overtaken still walks the children: the newer read may not)
    if (depth >= this.maxDepth || this.options.selector?.traverseChildren?.(path) === false) return;
    // unchanged children (same node, same cversion): nothing to list
    if (!force && previous && previous.stat.cversion === read.stat.cversion && previous.stat.czxid === read.stat.czxid) return;
    await this.relist(path, depth, force);
  }

  /** Lists the children of `path`: new ones are read, missing ones checked (and dropped). */
  private async relist(path: string, depth: number, force = false): Promise<void> {
    const client = this.client!;
    let children: string[];
    try {
      ({ children } = await client.getChildren(path, this.mode === 'oneShot' ? { watch: this.onWatch } : {}));
    } catch (err) {
      if (err instanceof ZooError && err.code === ZooErrorCode.NONODE) return; // its own deletion event handles it
      throw err;
    }
    if (client !== this.client || this.state !== 'started' || !this.nodes.has(path)) return;
    const listed = new Set(children.map((c) => joinPath(path, c)).filter((c) => this.options.selector?.acceptChild?.(c) !== false));
    const work: Array<Promise<void>> = [];
    for (const child of listed) if (force || !this.nodes.has(child)) work.push(this.refresh(child, depth + 1, force));
    // not listed: maybe deleted, maybe the listing is older than its creation; a read decides
    for (const child of this.kids.get(path) ?? []) if (!listed.has(child)) work.push(this.refresh(child, depth + 1, false));
    await Promise.all(work);
  }

  /** One-shot mode with no root: an exists watch tells us when it comes. */
  private async watchRootCreation(): Promise<void> {
    const client = this.client!;
    const stat = await client.exists(this.path, { watch: this.onWatch });
    if (stat && client === this.client && !this.nodes.has(this.path)) await this.refresh(this.path, 0, false);
  }

  private inScope(path: string, depth: number): boolean {
    if (depth > this.maxDepth) return false;
    const selector = this.options.selector;
    if (!selector) return true;
    for (let p = path; p !== this.path; p = parentOf(p)) {
      if (selector.acceptChild?.(p) === false) return false;
      if (selector.traverseChildren?.(parentOf(p)) === false) return false;
    }
    return true;
  }

  private put(path: string, read: { data: Buffer | null; stat: Stat }, previous: ChildData | undefined): void {
    const node: ChildData = { path, stat: read.stat, data: this.options.cacheData === false ? null : read.data };
    this.nodes.set(path, node);
    if (!previous) {
      if (path !== this.path) {
        const parent = parentOf(path);
        let set = this.kids.get(parent);
        if (!set) this.kids.set(parent, (set = new Set()));
        set.add(path);
      }
      this.publish({ type: 'added', path, node });
    } else if (previous.stat.mzxid !== node.stat.mzxid || previous.stat.czxid !== node.stat.czxid) {
      this.publish({ type: 'changed', path, node, previous });
    }
  }

  /** Drops `path` and everything cached below it, deepest first. */
  private remove(path: string): void {
    for (const child of [...(this.kids.get(path) ?? [])]) this.remove(child);
    this.kids.delete(path);
    const previous = this.nodes.get(path);
    if (!previous) return;
    this.nodes.delete(path);
    this.generation.delete(path);
    this.kids.get(parentOf(path))?.delete(path);
    this.publish({ type: 'removed', path, previous });
  }

  private publish(event: TreeCacheEvent): void {
    if (this.state !== 'started') return;
    for (const s of this.streams) s.push(event);
    this.emit(event.type, event);
  }

  /** Lost connections are not errors here: the reconnect (or the new session) walks again. */
  private fail(err: unknown): void {
    if (this.state !== 'started' || isDisconnection(err)) return;
    for (const w of this.initWaiters.splice(0)) w.reject(err);
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }
}
