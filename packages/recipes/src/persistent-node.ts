import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { CreateMode, EventType, validatePath, ZooError, ZooErrorCode, type ACL } from '@zoo/core';
import { isDisconnection, isSequential, toCreateMode, type CreateModeName, type WatchedEvent, type ZooClient, type ZooSession } from '@zoo/client';
import { createParentContainers, createProtected, guaranteedDelete } from '@zoo/lock';
import { nameOf, parentOf } from './paths.js';

/**
 * Curator's PersistentNode: a node that stays in place, whatever happens to the connection or
 * the session, until close() — typically an ephemeral one (a member, a registration), but any
 * mode works (TTL, container, persistent, sequential).
 *
 *   <path>                      plain modes: exactly `path`
 *   <parent>/_c_<uuid>-<name>   with `useProtection` (Curator's protected mode), one uuid per
 *                               PersistentNode, plus the 10-digit suffix for sequential modes
 *
 * Protocol, as Curator's: create (parents as containers); NODEEXISTS means someone (often our
 * previous session) has it: write our data into it. Then keep an exists watch on the node: on
 * NodeDeleted create it again with the same data, on a reconnect or a new session check it
 * again. Once a sequential node exists, re-creation uses the path it got (non-sequential mode),
 * so its name never changes. close() deletes it (guaranteed: retried through connection loss
 * until the session ends).
 *
 * Events: `created` (path) after each create by us, `error` for failures a retry cannot fix
 * (NOAUTH, a missing parent with createParents off), emitted only if someone listens.
 */

export interface PersistentNodeOptions {
  /** Default ephemeral. */
  mode?: CreateMode | CreateModeName;
  data?: Buffer | string | null;
  /** ms, for the TTL modes. */
  ttl?: number;
  /** Curator's protected mode: `_c_<uuid>-` before the name (recommended for sequential modes). */
  useProtection?: boolean;
  /** Create missing parents as containers (default true). */
  createParents?: boolean;
  acl?: ACL[];
  /** Delete the node on close() (default true; PersistentTtlNode leaves its container to the server). */
  deleteOnClose?: boolean;
}


/** The mode that re-creates a sequential node at the path it already has. */
function withoutSequence(mode: CreateMode): CreateMode {
  if (mode === CreateMode.EPHEMERAL_SEQUENTIAL) return CreateMode.EPHEMERAL;
  if (mode === CreateMode.PERSISTENT_SEQUENTIAL) return CreateMode.PERSISTENT;
  if (mode === CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL) return CreateMode.PERSISTENT_WITH_TTL;
  return mode;
}

export class PersistentNode extends EventEmitter implements AsyncDisposable {
  readonly mode: CreateMode;
  private state: 'latent' | 'started' | 'closed' = 'latent';
  private dataValue: Buffer;
  private dataDirty = false;
  private path?: string;
  private readonly uuid = randomUUID();
  private running?: Promise<void>;
  private again = false;
  private created = false;
  private readonly createdWaiters = new Set<() => void>();
  private readonly onWatch = (event: WatchedEvent) => {
    if (event.type === EventType.NodeDeleted || event.type === EventType.NodeDataChanged || event.type === EventType.NodeCreated) this.kick();
  };
  private readonly onSessionChange = () => this.kick();

  constructor(
    private readonly session: ZooSession,
    readonly basePath: string,
    private readonly options: PersistentNodeOptions = {},
  ) {
    super();
    let mode: CreateMode;
    try {
      mode = toCreateMode(options.mode, CreateMode.EPHEMERAL);
    } catch (err) {
      throw new TypeError(`PersistentNode ${basePath}: ${(err as Error).message}`);
    }
    this.mode = mode;
    const sequential = isSequential(mode);
    validatePath(basePath, sequential);
    if (basePath === '/') throw new TypeError('PersistentNode: the root cannot be a persistent node');
    const ttlMode = mode === CreateMode.PERSISTENT_WITH_TTL || mode === CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL;
    if (ttlMode && !(options.ttl && options.ttl > 0)) throw new TypeError(`PersistentNode ${basePath}: TTL modes need a positive ttl`);
    if (!ttlMode && options.ttl !== undefined) throw new TypeError(`PersistentNode ${basePath}: ttl needs a TTL mode`);
    this.dataValue = toBuffer(options.data);
  }

  /** The node's path once created (with the protection prefix and sequence suffix, if any). */
  get actualPath(): string | undefined {
    return this.path;
  }

  get data(): Buffer {
    return Buffer.from(this.dataValue);
  }

  /** Starts keeping the node (resolves at once; see waitForInitialCreate()). */
  async start(): Promise<void> {
    if (this.state !== 'latent') throw new Error(`PersistentNode ${this.basePath}: already ${this.state}`);
    this.state = 'started';
    if (!this.session.started) await this.session.start();
    this.session.on('session', this.onSessionChange);
    this.session.on('reconnected', this.onSessionChange);
    this.kick();
  }

  /** Resolves true once the node was first created (or found and written), false after `timeoutMs`. */
  waitForInitialCreate(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<boolean> {
    if (this.state === 'latent') return Promise.reject(new Error(`PersistentNode ${this.basePath}: not started`));
    if (this.created) return Promise.resolve(true);
    return new Promise<boolean>((resolve, reject) => {
      const done = (value: boolean, err?: unknown) => {
        this.createdWaiters.delete(onCreated);
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        if (err !== undefined) reject(err);
        else resolve(value);
      };
      const onCreated = () => done(true);
      const onAbort = () => done(false, options.signal!.reason);
      const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => done(false), options.timeoutMs);
      this.createdWaiters.add(onCreated);
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Changes the data; written now if the node exists, and on every re-creation. */
  async setData(data: Buffer | string | null): Promise<void> {
    if (this.state === 'closed') throw new Error(`PersistentNode ${this.basePath}: closed`);
    this.dataValue = toBuffer(data);
    this.dataDirty = true;
    if (!this.path || this.state !== 'started') return;
    try {
      await this.session.client.setData(this.path, this.dataValue);
      this.dataDirty = false;
    } catch (err) {
      // a lost connection or a missing node: the next check (reconnect, re-creation) writes it
      if (!(isDisconnection(err) || (err instanceof ZooError && err.code === ZooErrorCode.NONODE))) throw err;
    }
  }

  /** Stops keeping the node and deletes it (unless deleteOnClose is false). */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    const wasStarted = this.state === 'started';
    this.state = 'closed';
    this.session.off('session', this.onSessionChange);
    this.session.off('reconnected', this.onSessionChange);
    await this.running;
    if (!wasStarted || !this.session.started) return;
    const client = this.session.client;
    if (this.path) client.watches.remove([client.watches.data, client.watches.exist], this.path, this.onWatch);
    if (this.path && this.options.deleteOnClose !== false) await guaranteedDelete(client, this.path).catch((err) => this.fail(err, true));
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // ---- keeping it there ------------------------------------------------------------------

  /** Runs ensure() now, or once more after the run in progress (events coalesce). */
  private kick(): void {
    if (this.state !== 'started') return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.ensure(this.session.client);
        } catch (err) {
          this.fail(err);
        }
      } while (this.again && this.state === 'started');
      this.running = undefined;
    })();
  }

  private async ensure(client: ZooClient): Promise<void> {
    if (this.path) {
      const stat = await client.exists(this.path, { watch: this.onWatch });
      if (stat) {
        if (this.dataDirty) await this.writeData(client, this.path);
        return;
      }
    }
    await this.create(client);
  }

  private async create(client: ZooClient): Promise<void> {
    const target = this.path ?? this.basePath;
    const mode = this.path ? withoutSequence(this.mode) : this.mode;
    const common = { ttl: this.options.ttl, acl: this.options.acl };
    let path: string;
    try {
      if (this.options.useProtection && !this.path) {
        path = (await createProtected(client, parentOf(this.basePath), nameOf(this.basePath), this.uuid, { ...common, mode, data: this.dataValue, createParents: this.options.createParents })).path;
      } else {
        path = await this.createPlain(client, target, mode);
      }
    } catch (err) {
      if (!(err instanceof ZooError && err.code === ZooErrorCode.NODEEXISTS)) throw err;
      // someone has it (often our previous session, about to go): make it ours and watch it
      this.path = target;
      await this.writeData(client, target);
      this.markCreated();
      await this.watch(client, target);
      return;
    }
    if (this.state !== 'started') {
      // closed while creating: do not leave it behind
      if (this.options.deleteOnClose !== false) await guaranteedDelete(client, path).catch(() => {});
      return;
    }
    this.path = path;
    this.dataDirty = false;
    this.markCreated();
    this.emit('created', path);
    await this.watch(client, path);
  }

  private async createPlain(client: ZooClient, path: string, mode: CreateMode): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      try {
        return (await client.create(path, this.dataValue, { mode, ttl: this.options.ttl, acl: this.options.acl })).path;
      } catch (err) {
        if (err instanceof ZooError && err.code === ZooErrorCode.NONODE && this.options.createParents !== false && attempt < 3) {
          await createParentContainers(client, parentOf(path));
          continue;
        }
        throw err;
      }
    }
  }

  private async writeData(client: ZooClient, path: string): Promise<void> {
    const data = this.dataValue;
    await client.setData(path, data);
    if (data === this.dataValue) this.dataDirty = false;
  }

  /** Sets the exists watch; a node already gone again means another round. */
  private async watch(client: ZooClient, path: string): Promise<void> {
    const stat = await client.exists(path, { watch: this.onWatch });
    if (!stat) this.again = true;
  }

  private markCreated(): void {
    if (this.created) return;
    this.created = true;
    for (const w of [...this.createdWaiters]) w();
  }

  private fail(err: unknown, closing = false): void {
    // lost connection or session: the reconnect or the new session runs ensure() again
    if (isDisconnection(err) || (!closing && this.state !== 'started')) return;
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }
}

function toBuffer(data: Buffer | string | null | undefined): Buffer {
  if (data === null || data === undefined) return Buffer.alloc(0);
  return typeof data === 'string' ? Buffer.from(data) : Buffer.from(data);
}
