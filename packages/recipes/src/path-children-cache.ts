import { EventEmitter } from 'node:events';
import type { ZooSession } from '@zoo/client';
import { EventStream } from './event-stream.js';
import { joinPath } from './paths.js';
import { TreeCache, type ChildData, type TreeCacheEvent, type TreeCacheOptions } from './tree-cache.js';

/**
 * Curator's PathChildrenCache: the direct children of one node (data + Stat), kept current.
 * A thin face on TreeCache with `maxDepth: 1` whose events leave out the parent itself:
 * `added` / `changed` / `removed` for children, then `initialized`; `synced` after every full
 * read (the first load and each re-sync after a reconnect or a new session).
 */
export class PathChildrenCache extends EventEmitter implements AsyncDisposable, AsyncIterable<TreeCacheEvent> {
  private readonly cache: TreeCache;

  constructor(session: ZooSession, readonly path: string, options: Pick<TreeCacheOptions, 'watchMode' | 'cacheData'> & { acceptChild?: (fullPath: string) => boolean } = {}) {
    super();
    this.cache = new TreeCache(session, path, { watchMode: options.watchMode, cacheData: options.cacheData, maxDepth: 1, selector: options.acceptChild && { acceptChild: options.acceptChild } });
    for (const type of ['added', 'changed', 'removed', 'initialized'] as const) {
      this.cache.on(type, (e: TreeCacheEvent) => this.isChildEvent(e) && this.emit(type, e));
    }
    this.cache.on('error', (err) => this.listenerCount('error') > 0 && this.emit('error', err));
    this.cache.on('synced', () => this.emit('synced'));
  }

  private isChildEvent(e: TreeCacheEvent): boolean {
    return e.type === 'initialized' || e.path !== this.path;
  }

  start(options: { signal?: AbortSignal } = {}): Promise<void> {
    return this.cache.start(options);
  }

  /** Reads every child again now (Curator's rebuild); only differences are emitted. */
  rebuild(): Promise<void> {
    return this.cache.rebuild();
  }

  /** The children, sorted by name. */
  current(): ChildData[] {
    return [...this.cache.children(this.path).values()];
  }

  /** One child by name (or full path). */
  get(child: string): ChildData | undefined {
    return this.cache.get(child.startsWith('/') ? child : joinPath(this.path, child));
  }

  events(): AsyncIterableIterator<TreeCacheEvent> {
    const source = this.cache.events();
    const out = new EventStream<TreeCacheEvent>(() => void source.return?.());
    void (async () => {
      for await (const e of source) if (this.isChildEvent(e)) out.push(e);
      out.end();
    })();
    return out;
  }

  [Symbol.asyncIterator](): AsyncIterator<TreeCacheEvent> {
    return this.events();
  }

  close(): Promise<void> {
    return this.cache.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
