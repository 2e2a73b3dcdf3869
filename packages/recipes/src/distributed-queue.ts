import { EventEmitter } from 'node:events';
import { CreateMode, validatePath, ZooError, ZooErrorCode } from '@zoo/core';
import { isDisconnection, type ZooClient, type ZooSession } from '@zoo/client';
import { createParentContainers, guaranteedDelete } from '@zoo/lock';
import { deserializeItems, serializeItems, type QueueSerializer } from './item-serializer.js';
import { joinPath, parentOf } from './paths.js';

/** Handles one item; a rejection counts as a failure (see `errorMode`). */
export type QueueConsumer<T> = (item: T) => Promise<void> | void;

export interface QueueOptions<T> {
  serializer: QueueSerializer<T>;
  /** Consumes items as they arrive; without one the queue only produces. */
  consumer?: QueueConsumer<T>;
  /**
   * Curator's lock-safe mode: before an item is handed to the consumer an ephemeral
   * `<lockPath>/<item name>` is created, and the item is deleted only after the consumer
   * succeeded. A consumer that dies mid-item loses its lock node with its session and the
   * item is taken again by another consumer. Without it an item is deleted before it is
   * consumed (at most once, as Curator's default).
   */
  lockPath?: string;
  /** Bounded queue: put waits while the queue holds this many nodes (Curator's maxItems). */
  maxItems?: number;
  /**
   * Lock-safe mode, when the consumer fails: `requeue` (default, Curator's REQUEUE) puts the
   * item back at the end of the queue; `delete` drops it.
   */
  errorMode?: 'requeue' | 'delete';
}

export interface PutOptions {
  /** With maxItems: give up waiting for room after this long (put resolves false). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

const ITEM_PREFIX = 'queue-';
const IDLE_RETRY_MS = 1000;

/**
 * Curator's DistributedQueue: a FIFO of items on ZooKeeper that Java (Curator) and Node (Zoo)
 * producers and consumers share.
 *
 *   <queuePath>                        PERSISTENT (parents as containers), created by start()
 *   <queuePath>/queue-<seq>            PERSISTENT_SEQUENTIAL, one per put, data = Curator's
 *                                      item framing (see item-serializer.ts), 1..n items
 *   <lockPath>/<item name>             EPHEMERAL, lock-safe mode only: held while the item is
 *                                      being consumed
 *
 * Consumers list the children (with a watch), sort them by name (the sequence), and take
 * each: normal mode reads then deletes (with the read version) before consuming; lock-safe
 * mode creates the lock node, reads, consumes, then deletes the item (or, when the consumer
 * failed and errorMode is requeue, deletes it and re-creates it as a new `queue-` node in one
 * transaction), then the lock node. An item whose lock node someone else holds is skipped; a
 * watch on that lock node brings it back if its holder dies. Children not starting with
 * `queue-` are ignored. The priority, delay and id queues are this queue with other names.
 */
export class DistributedQueue<T> extends EventEmitter implements AsyncDisposable {
  protected readonly serializer: QueueSerializer<T>;
  private readonly consumer?: QueueConsumer<T>;
  readonly lockPath?: string;
  readonly maxItems?: number;
  private readonly errorMode: 'requeue' | 'delete';
  private state: 'latent' | 'started' | 'closed' = 'latent';
  private loop?: Promise<void>;
  /** Set when something changed since the last read of the children; the loop reads again. */
  private pending = false;
  private wake?: () => void;
  /** Re-sort and re-read after each consumed item (the priority queue: a new urgent item goes first). */
  protected refreshAfterEachItem = false;
  private readonly onSession = () => this.nudge();

  constructor(
    protected readonly session: ZooSession,
    readonly queuePath: string,
    options: QueueOptions<T>,
  ) {
    super();
    validatePath(queuePath);
    if (options.lockPath !== undefined) validatePath(options.lockPath);
    if (options.maxItems !== undefined && !(Number.isInteger(options.maxItems) && options.maxItems > 0)) {
      throw new ZooError(ZooErrorCode.BADARGUMENTS, `BADARGUMENTS: maxItems must be a positive integer, got ${options.maxItems}`);
    }
    this.serializer = options.serializer;
    this.consumer = options.consumer;
    this.lockPath = options.lockPath;
    this.maxItems = options.maxItems;
    this.errorMode = options.errorMode ?? 'requeue';
  }

  /** Creates the queue (and lock) path and, with a consumer, starts consuming. */
  async start(): Promise<void> {
    if (this.state !== 'latent') throw new Error(`DistributedQueue ${this.queuePath}: already ${this.state}`);
    this.state = 'started';
    if (!this.session.started) await this.session.start();
    const client = this.session.client;
    await this.ensurePath(client, this.queuePath);
    if (this.lockPath) await this.ensurePath(client, this.lockPath);
    if (this.consumer) {
      this.session.on('session', this.onSession);
      this.session.on('reconnected', this.onSession);
      this.loop = this.run();
    }
  }

  /** Queues one item; resolves false only when maxItems is set and no room came in time. */
  put(item: T, options: PutOptions = {}): Promise<boolean> {
    return this.putNode('', [item], options);
  }

  /** Queues several items in one node: a consumer gets them together, in order. */
  putMulti(items: readonly T[], options: PutOptions = {}): Promise<boolean> {
    return this.putNode('', items, options);
  }

  /** Stops consuming (waits for the item in hand) and drops the watches' effect. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.session.off('session', this.onSession);
    this.session.off('reconnected', this.onSession);
    this.nudge();
    await this.loop;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Orders item names for consumption (Curator: by name, i.e. by sequence). */
  protected sortItems(names: string[]): void {
    names.sort();
  }

  /** ms until the item may be consumed (the delay queue); 0 = now. */
  protected delayOf(_name: string): number {
    return 0;
  }

  /** The name part after `queue-` a requeued item gets (Curator: none, a plain item). */
  protected requeueSuffix(_name: string): string {
    return '';
  }

  /** Creates `queue-<suffix><seq>` holding `items`, after waiting for room when bounded. */
  protected async putNode(suffix: string, items: readonly T[], options: PutOptions): Promise<boolean> {
    if (this.state !== 'started') throw new Error(`DistributedQueue ${this.queuePath}: put before start() or after close()`);
    if (items.length === 0) throw new ZooError(ZooErrorCode.BADARGUMENTS, 'BADARGUMENTS: nothing to put');
    const bytes = serializeItems(items, this.serializer);
    if (this.maxItems !== undefined && !(await this.waitForRoom(options))) return false;
    // a lost reply hides whether a sequential create happened: the caller gets the error
    await this.session.client.create(joinPath(this.queuePath, ITEM_PREFIX + suffix), bytes, { mode: CreateMode.PERSISTENT_SEQUENTIAL });
    return true;
  }

  /** Current item names, unsorted (for the id queue's remove). */
  protected async itemNames(): Promise<string[]> {
    const { children } = await this.session.client.getChildren(this.queuePath);
    return children.filter((c) => c.startsWith(ITEM_PREFIX));
  }

  /** Takes an item out without consuming it (the id queue's remove); false if someone else had it. */
  protected async tryRemove(name: string): Promise<boolean> {
    const client = this.session.client;
    const itemPath = joinPath(this.queuePath, name);
    if (!this.lockPath) return this.ignoreTaken(client.delete(itemPath));
    const lockNode = joinPath(this.lockPath, name);
    if (!(await this.ignoreTaken(client.create(lockNode, null, { mode: CreateMode.EPHEMERAL })))) return false;
    try {
      return await this.ignoreTaken(client.delete(itemPath));
    } finally {
      await guaranteedDelete(client, lockNode);
    }
  }

  private async ensurePath(client: ZooClient, path: string): Promise<void> {
    await createParentContainers(client, parentOf(path));
    try {
      await client.create(path, null);
    } catch (err) {
      if (!(err instanceof ZooError && err.code === ZooErrorCode.NODEEXISTS)) throw err;
    }
  }

  private readonly nudge = (): void => {
    this.pending = true;
    const w = this.wake;
    this.wake = undefined;
    w?.();
  };

  /** Sleeps until nudged (a watch fired, a reconnect, close) or `ms` passed. */
  private idle(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.pending || this.state !== 'started') return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const timer = Number.isFinite(ms) ? setTimeout(done, Math.min(ms, 2 ** 31 - 1)) : undefined;
      signal?.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }

  private async waitForRoom(options: PutOptions): Promise<boolean> {
    const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
    for (;;) {
      options.signal?.throwIfAborted();
      let changed!: () => void;
      const change = new Promise<void>((r) => (changed = r));
      const { children } = await this.session.client.getChildren(this.queuePath, { watch: () => changed() });
      if (children.length < this.maxItems!) return true;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return false;
      await new Promise<void>((resolve, reject) => {
        const timer = Number.isFinite(remaining) ? setTimeout(resolve, Math.min(remaining, 2 ** 31 - 1)) : undefined;
        const onAbort = () => reject(options.signal!.reason);
        options.signal?.addEventListener('abort', onAbort, { once: true });
        void change.then(() => {
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
          resolve();
        });
      });
    }
  }

  private async run(): Promise<void> {
    while (this.state === 'started') {
      let wait = Infinity;
      try {
        this.pending = false;
        const client = this.session.client;
        const { children } = await client.getChildren(this.queuePath, { watch: this.nudge });
        const names = children.filter((c) => c.startsWith(ITEM_PREFIX));
        this.sortItems(names);
        for (const name of names) {
          if (this.state !== 'started') break;
          const delay = this.delayOf(name);
          if (delay > 0) {
            wait = Math.min(wait, delay);
            continue;
          }
          if (this.lockPath) await this.consumeLocked(client, name);
          else await this.consumeNormally(client, name);
          if (this.refreshAfterEachItem && this.pending) break;
        }
      } catch (err) {
        if (err instanceof ZooError && err.code === ZooErrorCode.NONODE) {
          // the queue path was deleted under us: put it back, as a restarted Curator queue would
          await this.ensurePath(this.session.client, this.queuePath).catch(() => {});
        } else if (!isDisconnection(err)) this.report(err);
        wait = IDLE_RETRY_MS;
      }
      await this.idle(wait);
    }
  }

  /** Read, delete, then consume: at most once (Curator's default). */
  private async consumeNormally(client: ZooClient, name: string): Promise<void> {
    const itemPath = joinPath(this.queuePath, name);
    let bytes: Buffer | null;
    try {
      const read = await client.getData(itemPath);
      bytes = read.data;
      await client.delete(itemPath, read.stat.version);
    } catch (err) {
      if (taken(err)) return;
      throw err;
    }
    await this.consume(name, bytes);
  }

  /** Lock, read, consume, then delete (or requeue): at least once. */
  private async consumeLocked(client: ZooClient, name: string): Promise<void> {
    const itemPath = joinPath(this.queuePath, name);
    const lockNode = joinPath(this.lockPath!, name);
    try {
      await client.create(lockNode, null, { mode: CreateMode.EPHEMERAL });
    } catch (err) {
      if (err instanceof ZooError && err.code === ZooErrorCode.NODEEXISTS) {
        // someone is on it; if they die with it, their lock node goes and we look again
        await client.exists(lockNode, { watch: this.nudge }).then((stat) => stat ?? this.nudge(), () => {});
        return;
      }
      if (err instanceof ZooError && err.code === ZooErrorCode.NONODE) {
        await this.ensurePath(client, this.lockPath!);
        this.nudge();
        return;
      }
      throw err;
    }
    try {
      let bytes: Buffer | null;
      try {
        bytes = (await client.getData(itemPath)).data;
      } catch (err) {
        if (taken(err)) return;
        throw err;
      }
      const ok = await this.consume(name, bytes);
      if (ok || this.errorMode === 'delete') {
        await guaranteedDelete(client, itemPath);
      } else {
        await client
          .transaction()
          .delete(itemPath)
          .create(joinPath(this.queuePath, ITEM_PREFIX + this.requeueSuffix(name)), bytes, { mode: CreateMode.PERSISTENT_SEQUENTIAL })
          .commit()
          .catch((err) => {
            if (!taken(err)) throw err;
          });
      }
    } finally {
      await guaranteedDelete(client, lockNode);
    }
  }

  /** Hands the node's items to the consumer in order; false if one failed (the rest are not run). */
  private async consume(name: string, bytes: Buffer | null): Promise<boolean> {
    let items: T[];
    try {
      items = deserializeItems(bytes ?? Buffer.alloc(0), this.serializer);
    } catch (err) {
      // Curator drops an item it cannot read (it would fail forever)
      this.report(new Error(`queue ${this.queuePath}: dropping ${name}: ${(err as Error).message}`, { cause: err }));
      return true;
    }
    for (const item of items) {
      try {
        await this.consumer!(item);
      } catch (err) {
        this.report(err);
        if (this.errorMode === 'requeue') return false;
      }
    }
    return true;
  }

  private async ignoreTaken(op: Promise<unknown>): Promise<boolean> {
    try {
      await op;
      return true;
    } catch (err) {
      if (taken(err)) return false;
      throw err;
    }
  }

  private report(err: unknown): void {
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }
}

/** Another consumer got there first (Curator's NoNode / NodeExists / BadVersion). */
function taken(err: unknown): boolean {
  // (a failed transaction is a ZooError with the failing op's code)
  return err instanceof ZooError && (err.code === ZooErrorCode.NONODE || err.code === ZooErrorCode.NODEEXISTS || err.code === ZooErrorCode.BADVERSION);
}
