import { describe, expect, it } from 'vitest';
import { OPEN_ACL_UNSAFE } from '../acl/ids.js';
import { DataSlabs, SLAB_BYTES } from './data-slabs.js';
import { ZNode } from './znode.js';

const node = () => new ZNode(null, OPEN_ACL_UNSAFE, 1n, 0, 0n);

describe('DataSlabs', () => {
  it('keeps a copy of each value, apart from the caller buffer and from the other values', () => {
    const slabs = new DataSlabs();
    const nodes = Array.from({ length: 500 }, node);
    const source = Buffer.alloc(100);
    nodes.forEach((n, i) => {
      source.fill(i & 0xff);
      slabs.store(n, source);
    });
    source.fill(0xee);
    nodes.forEach((n, i) => expect(n.data).toEqual(Buffer.alloc(100, i & 0xff)));
    // 500 × 100 bytes do not fit one slab: several slabs, none of them the pool's
    expect(new Set(nodes.map((n) => n.data!.buffer)).size).toBeGreaterThan(1);
    for (const n of nodes) expect(n.data!.buffer.byteLength).toBeLessThanOrEqual(SLAB_BYTES);
  });

  it('null stays null, empty stays empty, large values get a buffer of their own, times round-trip', () => {
    const slabs = new DataSlabs();
    const [a, b, c] = [node(), node(), node()];
    slabs.store(a, null);
    slabs.store(b, Buffer.alloc(0));
    slabs.store(c, Buffer.alloc(SLAB_BYTES * 2, 3));
    expect(a.data).toBeNull();
    expect(a.dataLength).toBe(0);
    expect(b.data).toEqual(Buffer.alloc(0));
    expect(c.data).toEqual(Buffer.alloc(SLAB_BYTES * 2, 3));
    expect(c.stat().dataLength).toBe(SLAB_BYTES * 2);
    for (const t of [0, 1, 1_764_000_000_123, -5, 2 ** 53 - 1, 16_777_216, 16_777_215]) {
      a.ctime = t;
      a.mtime = t + 1;
      expect([a.ctime, a.mtime]).toEqual([t, t + 1]);
    }
  });
});
