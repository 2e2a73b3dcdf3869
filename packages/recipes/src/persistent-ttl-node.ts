import { CreateMode, validatePath, ZooError, ZooErrorCode } from '@zoo/core';
import type { ZooSession } from '@zoo/client';
import { joinPath } from './paths.js';
import { PersistentNode } from './persistent-node.js';

export interface PersistentTtlNodeOptions {
  data?: Buffer | string | null;
  /** Name of the TTL child (Curator's default `touch`). */
  childNodeName?: string;
  /** The child is touched every ttlMs / factor (Curator's default 2). */
  touchScheduleFactor?: number;
  /** Create missing parents as containers (default true). */
  createParents?: boolean;
}

/**
 * Curator's PersistentTtlNode: a node that lives while its owner does, without being
 * ephemeral (so it can outlive a session by up to the TTL and be shared by several owners):
 *
 *   <path>          a container, kept with PersistentNode, holding the data; never deleted by us
 *   <path>/touch    PERSISTENT_WITH_TTL, empty, touched (setData, or created) every ttl/2
 *
 * If every owner stops, the server drops `touch` after the TTL and then reaps the empty
 * container. Touching the child instead of the parent keeps the parent's watchers quiet.
 * The server must allow TTL nodes (ZooKeeper: `zookeeper.extendedTypesEnabled=true`).
 */
export class PersistentTtlNode implements AsyncDisposable {
  private readonly node: PersistentNode;
  private readonly childPath: string;
  private timer?: NodeJS.Timeout;
  private touching?: Promise<void>;

  constructor(
    private readonly session: ZooSession,
    readonly path: string,
    readonly ttlMs: number,
    options: PersistentTtlNodeOptions = {},
  ) {
    validatePath(path);
    if (!Number.isInteger(ttlMs) || ttlMs <= 0) throw new RangeError(`PersistentTtlNode ${path}: ttlMs must be a positive integer, got ${ttlMs}`);
    const factor = options.touchScheduleFactor ?? 2;
    if (!(factor >= 1)) throw new RangeError(`PersistentTtlNode ${path}: touchScheduleFactor must be >= 1, got ${factor}`);
    this.touchEvery = Math.max(1, Math.floor(ttlMs / factor));
    this.node = new PersistentNode(session, path, { mode: CreateMode.CONTAINER, data: options.data, createParents: options.createParents, deleteOnClose: false });
    this.childPath = joinPath(path, options.childNodeName ?? 'touch');
  }

  private readonly touchEvery: number;

  async start(): Promise<void> {
    await this.node.start();
    this.timer = setInterval(() => void this.touch(), this.touchEvery);
    // touch as soon as the container is there: an empty container that never had a child is never reaped
    void this.node.waitForInitialCreate().then(async (ok) => {
      if (ok) await this.touch();
    });
  }

  private touch(): Promise<void> {
    this.touching ??= (async () => {
      const client = this.session.client;
      try {
        await client.setData(this.childPath, null);
      } catch (err) {
        if (!(err instanceof ZooError && err.code === ZooErrorCode.NONODE)) return; // lost connection: next tick
        // gone (first run, or expired): create it; NONODE here means the container is being re-created
        await client.create(this.childPath, null, { mode: CreateMode.PERSISTENT_WITH_TTL, ttl: this.ttlMs }).catch(() => {});
      }
    })().finally(() => (this.touching = undefined));
    return this.touching;
  }

  waitForInitialCreate(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<boolean> {
    return this.node.waitForInitialCreate(options);
  }

  get data(): Buffer {
    return this.node.data;
  }

  setData(data: Buffer | string | null): Promise<void> {
    return this.node.setData(data);
  }

  /** Stops touching; the node is left to expire (after the TTL) unless another owner keeps it. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.touching;
    await this.node.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
