import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { EventType, ZooError, ZooErrorCode } from '@zoo/core';
import type { WatchedEvent, ZooSession } from '@zoo/client';
import { TreeCache, type TreeCacheEvent } from './tree-cache.js';

const stat = (mzxid: number, cversion = 0) => ({ czxid: 1n, mzxid: BigInt(mzxid), ctime: 0n, mtime: 0n, version: mzxid, cversion, aversion: 0, ephemeralOwner: 0n, dataLength: 0, numChildren: 0, pzxid: 1n });

type Reply = { data: Buffer | null; stat: ReturnType<typeof stat> };

/** A session whose reads are answered by the test, in whatever order it likes. */
class ScriptedSession extends EventEmitter {
  started = true;
  watch?: (e: WatchedEvent) => void;
  readonly pending: Array<{ path: string; resolve: (r: Reply) => void; reject: (e: unknown) => void }> = [];
  tree = new Map<string, { data: string; mzxid: number; children: string[] }>();
  /** Reads of these paths wait in `pending` for the test to answer; the rest answer from `tree`. */
  hold: (path: string) => boolean = () => false;
  readonly client = {
    state: 'connected',
    watches: { data: new Map(), exist: new Map(), child: new Map(), recursive: new Map(), remove: () => false },
    addWatch: async (_p: string, listener: (e: WatchedEvent) => void) => {
      this.watch = listener;
    },
    removeWatches: async () => {},
    exists: async () => null,
    getChildren: async (path: string) => ({ children: this.tree.get(path)?.children ?? [], stat: stat(1, this.tree.get(path)?.children.length ?? 0) }),
    getData: (path: string) =>
      new Promise<Reply>((resolve, reject) => {
        if (!this.hold(path)) this.answer(path, resolve, reject);
        else this.pending.push({ path, resolve, reject });
      }),
  };
  answer(path: string, resolve: (r: Reply) => void, reject: (e: unknown) => void): void {
    const node = this.tree.get(path);
    if (!node) reject(new ZooError(ZooErrorCode.NONODE, undefined, { path }));
    else resolve({ data: Buffer.from(node.data), stat: stat(node.mzxid, node.children.length) });
  }
  async start() {
    return this.client;
  }
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('TreeCache ordering', () => {
  it('a read answered after a newer event for the same path is dropped (no stale state comes back)', async () => {
    const s = new ScriptedSession();
    s.tree.set('/r', { data: 'root', mzxid: 1, children: ['x'] });
    s.tree.set('/r/x', { data: 'x1', mzxid: 2, children: [] });
    const cache = new TreeCache(s as unknown as ZooSession, '/r');
    const log: string[] = [];
    for (const t of ['added', 'changed', 'removed'] as const) cache.on(t, (e: TreeCacheEvent) => log.push(`${t} ${e.type === 'initialized' ? '' : e.path}`));
    await cache.start();
    expect(cache.get('/r/x')?.data?.toString()).toBe('x1');

    // x changes; our read of it is held back; then x is deleted and that event arrives first
    s.hold = () => true;
    s.tree.set('/r/x', { data: 'x2', mzxid: 3, children: [] });
    s.watch!({ type: EventType.NodeDataChanged, state: 3, path: '/r/x' });
    await tick();
    const stale = s.pending.shift()!;
    s.tree.delete('/r/x');
    s.watch!({ type: EventType.NodeDeleted, state: 3, path: '/r/x' });
    // the held-back read now answers with the state from before the delete
    stale.resolve({ data: Buffer.from('x2'), stat: stat(3) });
    await tick();
    expect(cache.get('/r/x')).toBeUndefined();
    expect(log).toEqual(['added /r', 'added /r/x', 'removed /r/x']);

    // two changes, answers in reverse order: the newest read decides
    s.tree.set('/r/y', { data: 'y1', mzxid: 4, children: [] });
    s.watch!({ type: EventType.NodeCreated, state: 3, path: '/r/y' });
    s.watch!({ type: EventType.NodeDataChanged, state: 3, path: '/r/y' });
    await tick();
    const [older, newer] = s.pending.splice(0);
    newer.resolve({ data: Buffer.from('y2'), stat: stat(5) });
    await tick();
    older.resolve({ data: Buffer.from('y1'), stat: stat(4) });
    await tick();
    expect(cache.get('/r/y')?.data?.toString()).toBe('y2');
    expect(log.slice(3)).toEqual(['added /r/y']);
    await cache.close();
  });

  it('a re-sync walk whose read of a node was overtaken by an event still walks that node\'s children', async () => {
    const s = new ScriptedSession();
    s.tree.set('/r', { data: 'root', mzxid: 1, children: ['a'] });
    s.tree.set('/r/a', { data: 'a1', mzxid: 2, children: ['c'] });
    s.tree.set('/r/a/c', { data: 'c1', mzxid: 3, children: [] });
    const cache = new TreeCache(s as unknown as ZooSession, '/r');
    await cache.start();
    // while disconnected, c changed (its event was lost); after the reconnect the walk re-reads
    s.tree.set('/r/a/c', { data: 'c2', mzxid: 5, children: [] });
    s.hold = (path) => path === '/r/a';
    s.emit('reconnected', s.client);
    await tick();
    const walkRead = s.pending.shift()!;
    // a change of a arrives: its own read (not forced, same cversion) will not list a's children
    s.tree.set('/r/a', { data: 'a2', mzxid: 6, children: ['c'] });
    s.watch!({ type: EventType.NodeDataChanged, state: 3, path: '/r/a' });
    await tick();
    const eventRead = s.pending.shift()!;
    s.hold = () => false;
    s.answer('/r/a', eventRead.resolve, eventRead.reject);
    await tick();
    walkRead.resolve({ data: Buffer.from('a1'), stat: stat(2, 1) });
    await tick();
    expect(cache.get('/r/a')?.data?.toString()).toBe('a2');
    expect(cache.get('/r/a/c')?.data?.toString()).toBe('c2');
    await cache.close();
  });
});
