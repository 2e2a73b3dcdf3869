import { EventEmitter } from 'node:events';
import type { ZooSession } from '@zoo/client';
import { TreeCache, type ChildData, type TreeCacheEvent, type TreeCacheOptions } from './tree-cache.js';

/**
 * Curator's NodeCache: one node's data and Stat, kept current (`current` is undefined while
 * the node does not exist). A thin face on TreeCache with `maxDepth: 0`, so it shares its
 * watch, reconnect and expiry handling. Emits `changed` with the new ChildData (undefined when
 * the node is deleted) and `initialized`.
 */
export class NodeCache extends EventEmitter implements AsyncDisposable, AsyncIterable<TreeCacheEvent> {
  private readonly cache: TreeCache;

  constructor(session: ZooSession, readonly path: string, options: Pick<TreeCacheOptions, 'watchMode' | 'cacheData'> = {}) {
    super();
    this.cache = new TreeCache(session, path, { ...options, maxDepth: 0 });
    this.cache.on('added', (e: Extract<TreeCacheEvent, { type: 'added' }>) => this.emit('changed', e.node));
    this.cache.on('changed', (e: Extract<TreeCacheEvent, { type: 'changed' }>) => this.emit('changed', e.node));
    this.cache.on('removed', () => this.emit('changed', undefined));
    this.cache.on('initialized', () => this.emit('initialized'));
    this.cache.on('error', (err) => this.listenerCount('error') > 0 && this.emit('error', err));
  }

  /** Resolves once the node has been read (or found missing). */
  start(options: { signal?: AbortSignal } = {}): Promise<void> {
    return this.cache.start(options);
  }

  get current(): ChildData | undefined {
    return this.cache.get(this.path);
  }

  events(): AsyncIterableIterator<TreeCacheEvent> {
    return this.cache.events();
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
