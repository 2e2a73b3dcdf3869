import { EventEmitter } from 'node:events';
import { networkInterfaces } from 'node:os';
import { CreateMode, validatePath } from '@zoo/core';
import type { ZooSession } from '@zoo/client';
import { EventStream } from './event-stream.js';
import { joinPath, nameOf } from './paths.js';
import { PersistentNode } from './persistent-node.js';
import { TreeCache, type TreeCacheEvent } from './tree-cache.js';

export type GroupEvent =
  | { type: 'joined'; id: string; payload: Buffer }
  | { type: 'changed'; id: string; payload: Buffer }
  | { type: 'left'; id: string };

/**
 * Curator's GroupMember: who is in a group, kept current, with this process as a member.
 *
 *   <group>/<id>    EPHEMERAL, one per member, the member id as its name and its payload as
 *                   data (Curator's default payload: this host's address as text)
 *
 * Our own node is a PersistentNode (re-created after connection loss or session expiry);
 * the others are read through a TreeCache of the group's children, so Java members using
 * Curator's GroupMember and Node members using this one see the same group. members() always
 * contains this member, as Curator's getCurrentMembers() does. Events: `joined`, `changed`
 * (payload), `left`, each with the member id; `events()` gives them as an async iterator.
 */
export class GroupMember extends EventEmitter implements AsyncDisposable, AsyncIterable<GroupEvent> {
  private readonly node: PersistentNode;
  private readonly cache: TreeCache;
  private readonly streams = new Set<EventStream<GroupEvent>>();
  private state: 'latent' | 'joined' | 'left' = 'latent';

  constructor(
    session: ZooSession,
    readonly groupPath: string,
    readonly id: string,
    payload: Buffer | string = localAddress(),
  ) {
    super();
    validatePath(groupPath);
    if (!id || id.includes('/') || id === '.' || id === '..') throw new TypeError(`GroupMember: member id must be a single path segment, got "${id}"`);
    validatePath(joinPath(groupPath, id));
    this.node = new PersistentNode(session, joinPath(groupPath, id), { mode: CreateMode.EPHEMERAL, data: payload });
    this.cache = new TreeCache(session, groupPath, { maxDepth: 1 });
    this.cache.on('added', (e: TreeCacheEvent) => this.relay(e));
    this.cache.on('changed', (e: TreeCacheEvent) => this.relay(e));
    this.cache.on('removed', (e: TreeCacheEvent) => this.relay(e));
    this.cache.on('error', (err) => this.listenerCount('error') > 0 && this.emit('error', err));
    this.node.on('error', (err) => this.listenerCount('error') > 0 && this.emit('error', err));
  }

  /** Joins: resolves once our node exists and the membership has been read. */
  async join(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.state !== 'latent') throw new Error(`GroupMember ${this.id}: already ${this.state}`);
    this.state = 'joined';
    await this.node.start();
    await this.node.waitForInitialCreate(options);
    await this.cache.start(options);
  }

  /** id → payload of every member, this one included. */
  members(): Map<string, Buffer> {
    const out = new Map<string, Buffer>();
    for (const [id, child] of this.cache.children(this.groupPath)) out.set(id, child.data ?? Buffer.alloc(0));
    if (this.state === 'joined' && !out.has(this.id)) out.set(this.id, this.node.data);
    return out;
  }

  get payload(): Buffer {
    return this.node.data;
  }

  /** Changes this member's payload (Curator's setThisData). */
  setPayload(payload: Buffer | string): Promise<void> {
    return this.node.setData(payload);
  }

  events(): AsyncIterableIterator<GroupEvent> {
    const stream = new EventStream<GroupEvent>((s) => this.streams.delete(s));
    if (this.state === 'left') stream.end();
    else this.streams.add(stream);
    return stream;
  }

  [Symbol.asyncIterator](): AsyncIterator<GroupEvent> {
    return this.events();
  }

  /** Leaves the group (our node is deleted) and stops watching it. */
  async leave(): Promise<void> {
    if (this.state === 'left') return;
    this.state = 'left';
    await this.cache.close();
    await this.node.close();
    for (const s of this.streams) s.end();
    this.streams.clear();
  }

  close(): Promise<void> {
    return this.leave();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.leave();
  }

  private relay(e: TreeCacheEvent): void {
    if (e.type === 'initialized' || e.path === this.groupPath) return;
    const id = nameOf(e.path);
    const event: GroupEvent = e.type === 'removed' ? { type: 'left', id } : { type: e.type === 'added' ? 'joined' : 'changed', id, payload: e.node.data ?? Buffer.alloc(0) };
    for (const s of this.streams) s.push(event);
    this.emit(event.type, event);
  }
}

/** Curator's default member payload: this host's address (first non-internal IPv4). */
function localAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}
