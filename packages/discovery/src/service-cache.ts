import { EventEmitter } from 'node:events';
import type { ZooSession } from '@zoo/client';
import { PathChildrenCache, type TreeCacheEvent } from '@zoo/recipes';
import { fromCuratorJson, type ServiceInstance } from './service-instance.js';

/**
 * A watch-driven view of one service's instances: @zoo/recipes' PathChildrenCache of the
 * service path (Curator's ServiceCache is a PathChildrenCache too), each child parsed as a
 * Curator instance. It follows every change, re-syncs after a reconnect and rebuilds after
 * session expiry; while the coordination service is unreachable it keeps serving the last
 * instances it knew (`stale` is then true). Emits `added`, `removed`, `updated` and `changed`;
 * an instance whose data cannot be parsed is an `error` and does not hide the others.
 */
export class ServiceCache extends EventEmitter implements AsyncDisposable {
  private readonly known = new Map<string, ServiceInstance>();
  private readonly children: PathChildrenCache;
  private closed = false;
  private readonly onDisconnected = () => (this.stale = true);
  stale = false;

  constructor(
    private readonly session: ZooSession,
    readonly servicePath: string,
    readonly name: string,
  ) {
    super();
    this.children = new PathChildrenCache(session, servicePath);
    this.children.on('added', (e: TreeCacheEvent) => this.onChild(e));
    this.children.on('changed', (e: TreeCacheEvent) => this.onChild(e));
    this.children.on('removed', (e: TreeCacheEvent) => this.onChild(e));
    this.children.on('synced', () => (this.stale = false));
    this.children.on('error', (err) => this.emit('error', err));
    session.on('disconnected', this.onDisconnected);
  }

  /** Loads the instances (resolves after the first load). */
  async start(): Promise<void> {
    await this.children.start();
  }

  /** Known instances (enabled ones only). */
  instances(): ServiceInstance[] {
    return [...this.known.values()].filter((i) => i.enabled);
  }

  /** Reads every instance again now; resolves when done. */
  refresh(): Promise<void> {
    return this.children.rebuild();
  }

  private onChild(e: TreeCacheEvent): void {
    if (e.type === 'initialized') return;
    const id = e.path.slice(e.path.lastIndexOf('/') + 1);
    if (e.type === 'removed') {
      const gone = this.known.get(id);
      if (!gone) return;
      this.known.delete(id);
      this.emit('removed', gone);
      this.emit('changed');
      return;
    }
    let instance: ServiceInstance;
    try {
      instance = fromCuratorJson(e.node.data, e.path);
    } catch (err) {
      // one unreadable instance must not hide the others
      this.emit('error', err);
      return;
    }
    const before = this.known.get(id);
    this.known.set(id, instance);
    this.emit(before ? 'updated' : 'added', instance, before);
    this.emit('changed');
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.session.off('disconnected', this.onDisconnected);
    void this.children.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}
