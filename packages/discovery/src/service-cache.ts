import { EventEmitter } from 'node:events';
import { ZooError, ZooErrorCode } from '@zoo/core';
import { isDisconnection, type WatchedEvent, type ZooSession } from '@zoo/client';
import { fromCuratorJson, type ServiceInstance } from './service-instance.js';

/**
 * A watch-driven view of one service's instances: loaded once, then kept current from child
 * and data watches (an update arrives one watch round trip after the change). While the
 * coordination service is unreachable it keeps serving the last instances it knew
 * (`stale` is then true). Emits `added`, `removed`, `updated` and `changed`.
 */
export class ServiceCache extends EventEmitter implements AsyncDisposable {
  private readonly known = new Map<string, ServiceInstance>();
  private closed = false;
  private refreshing?: Promise<void>;
  private again = false;
  private readonly onChildren = (e: WatchedEvent) => {
    if (e.type !== -1) void this.refresh();
  };
  private readonly onData = (e: WatchedEvent) => {
    if (e.type !== -1 && e.path) this.reloadOnChange(e.path);
  };
  /** Instances whose re-read after a data change was cut off by a lost connection. */
  private readonly unread = new Set<string>();
  private readonly onSession = () => void this.refresh();
  private readonly onDisconnected = () => (this.stale = true);
  stale = false;

  constructor(
    private readonly session: ZooSession,
    readonly servicePath: string,
    readonly name: string,
  ) {
    super();
    session.on('session', this.onSession);
    session.on('reconnected', this.onSession);
    session.on('disconnected', this.onDisconnected);
  }

  /** Loads the instances (resolves after the first load). */
  async start(): Promise<void> {
    await this.refresh();
  }

  /** Known instances (enabled ones only). */
  instances(): ServiceInstance[] {
    return [...this.known.values()].filter((i) => i.enabled);
  }

  /** Re-reads the children and any instance not seen before; coalesces concurrent calls. */
  refresh(): Promise<void> {
    if (this.refreshing) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.again = false;
        await this.load().catch((err) => {
          if (!isDisconnection(err)) this.emit('error', err);
        });
      } while (this.again && !this.closed);
    })().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async load(): Promise<void> {
    if (this.closed) return;
    const client = this.session.client;
    let children: string[];
    try {
      children = (await client.getChildren(this.servicePath, { watch: this.onChildren })).children;
    } catch (err) {
      if (!(err instanceof ZooError && err.code === ZooErrorCode.NONODE)) throw err;
      // not there yet: be told when it is
      await client.exists(this.servicePath, { watch: this.onChildren });
      children = [];
    }
    this.stale = false;
    const present = new Set(children);
    for (const [id, instance] of [...this.known]) {
      if (!present.has(id)) {
        this.known.delete(id);
        this.emit('removed', instance);
        this.emit('changed');
      }
    }
    await Promise.all(children.filter((id) => !this.known.has(id) || this.unread.has(id)).map((id) => this.reload(`${this.servicePath}/${id}`)));
  }

  /**
   * Re-reads an instance its data watch fired for. Nobody awaits this: a lost connection or
   * session leaves the instance for the refresh that follows the reconnect (which re-reads it
   * and sets its watch again); anything else is an `error` event.
   */
  private reloadOnChange(path: string): void {
    this.reload(path).catch((err) => {
      if (isDisconnection(err)) {
        this.unread.add(path.slice(path.lastIndexOf('/') + 1));
        return;
      }
      this.emit('error', err);
    });
  }

  private async reload(path: string): Promise<void> {
    if (this.closed) return;
    const id = path.slice(path.lastIndexOf('/') + 1);
    try {
      const { data } = await this.session.client.getData(path, { watch: this.onData });
      this.unread.delete(id);
      const instance = fromCuratorJson(data, path);
      const before = this.known.get(id);
      this.known.set(id, instance);
      this.emit(before ? 'updated' : 'added', instance, before);
      this.emit('changed');
    } catch (err) {
      if (err instanceof ZooError && err.code === ZooErrorCode.NONODE) {
        this.unread.delete(id);
        const gone = this.known.get(id);
        if (gone) {
          this.known.delete(id);
          this.emit('removed', gone);
          this.emit('changed');
        }
        return;
      }
      if (err instanceof ZooError) throw err;
      // one unreadable instance must not hide the others
      this.emit('error', err);
    }
  }

  close(): void {
    this.closed = true;
    this.session.off('session', this.onSession);
    this.session.off('reconnected', this.onSession);
    this.session.off('disconnected', this.onDisconnected);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}
