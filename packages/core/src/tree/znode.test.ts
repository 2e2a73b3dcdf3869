import { describe, expect, it } from 'vitest';
import { OPEN_ACL_UNSAFE } from '../acl/ids.js';
import { ZNode } from './znode.js';

const T = 1_700_000_000_123;

describe('ZNode', () => {
  it('a node never changed reports its defaults: mzxid = pzxid = czxid, mtime = ctime, zero versions, no owner', () => {
    const node = new ZNode(Buffer.from('abc'), OPEN_ACL_UNSAFE, 42n, T, 0n);
    expect(node.stat()).toEqual({ czxid: 42n, mzxid: 42n, ctime: BigInt(T), mtime: BigInt(T), version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n, dataLength: 3, numChildren: 0, pzxid: 42n });
    // setting a field to its default keeps it a default
    node.mzxid = 42n;
    node.pzxid = 42n;
    node.mtime = T;
    node.version = 0;
    node.childCreates = 0;
    node.aversion = 0;
    node.ephemeralOwner = 0n;
    expect(node.stat()).toMatchObject({ mzxid: 42n, pzxid: 42n, mtime: BigInt(T), version: 0, aversion: 0, ephemeralOwner: 0n });
  });

  it('each stat field changes on its own, and the others keep their values', () => {
    const fields = ['mzxid', 'pzxid', 'mtime', 'version', 'childCreates', 'aversion', 'ephemeralOwner'] as const;
    const values = { mzxid: 50n, pzxid: 51n, mtime: T + 5, version: 3, childCreates: 7, aversion: 2, ephemeralOwner: 0x1234n };
    for (const field of fields) {
      const node = new ZNode(null, OPEN_ACL_UNSAFE, 42n, T, 0n);
      (node as unknown as Record<string, unknown>)[field] = values[field];
      const want = { mzxid: 42n, pzxid: 42n, mtime: T, version: 0, childCreates: 0, aversion: 0, ephemeralOwner: 0n, [field]: values[field] };
      for (const other of fields) expect(node[other], `${other} after setting ${field}`).toBe(want[other]);
      expect(node.czxid).toBe(42n);
      expect(node.ctime).toBe(T);
    }
  });

  it('keeps an owner given at creation, and mtime when ctime moves', () => {
    const owned = new ZNode(null, OPEN_ACL_UNSAFE, 9n, T, 0x77n);
    expect(owned.ephemeralOwner).toBe(0x77n);
    expect(owned.mzxid).toBe(9n);
    const node = new ZNode(null, OPEN_ACL_UNSAFE, 9n, T, 0n);
    node.ctime = T + 1000;
    expect(node.ctime).toBe(T + 1000);
    expect(node.mtime).toBe(T);
    node.mtime = T + 2000;
    node.version = 1;
    expect([node.ctime, node.mtime, node.version]).toEqual([T + 1000, T + 2000, 1]);
  });

  it('keeps mzxid and pzxid when czxid moves (a ZooKeeper import sets each stat field)', () => {
    const node = new ZNode(null, OPEN_ACL_UNSAFE, 9n, T, 0n);
    node.czxid = 5n;
    expect([node.czxid, node.mzxid, node.pzxid]).toEqual([5n, 9n, 9n]);
    const same = new ZNode(null, OPEN_ACL_UNSAFE, 9n, T, 0n);
    same.czxid = 9n;
    same.mzxid = 12n;
    expect([same.czxid, same.mzxid, same.pzxid]).toEqual([9n, 12n, 9n]);
  });

  it('keeps times beyond 32 bits exactly (split into two small integers)', () => {
    for (const t of [0, 1, 2 ** 31, 2 ** 40 + 12345, 8_640_000_000_000_000]) {
      const node = new ZNode(null, OPEN_ACL_UNSAFE, 1n, t, 0n);
      node.mtime = t + 1;
      expect([node.ctime, node.mtime]).toEqual([t, t + 1]);
    }
  });

  it('keeps a czxid of any size: below 2^53 as two small integers, from 2^53 (or below 0) as a bigint, and moves between them', () => {
    const big = 2n ** 53n;
    for (const z of [0n, 1n, 0xffffffn, 0x1000000n, 0x1_0000_0001n, big - 1n, big, big + 1n, 2n ** 63n - 1n, -1n]) {
      const node = new ZNode(null, OPEN_ACL_UNSAFE, z, T, 0n);
      expect(node.stat(), `${z}`).toMatchObject({ czxid: z, mzxid: z, pzxid: z });
      const small = z >= 0n && z < big;
      expect(node.czxidNumber, `${z}`).toBe(small ? Number(z) : -1);
      // (a czxid kept as a bigint needs the node's ZNodeMore)
      expect(node.unchanged).toBe(small);
      // equal to the czxid: still a default; else it is kept apart
      node.mzxid = z;
      expect(node.unchanged).toBe(small);
      node.pzxid = z + 1n;
      expect([node.czxid, node.mzxid, node.pzxid]).toEqual([z, z, z + 1n]);
      expect(node.createdAfter(z, Number(z))).toBe(false);
      expect(node.createdAfter(z - 1n, Number(z - 1n))).toBe(true);
      // moved across 2^53 both ways: mzxid and pzxid keep their values
      for (const next of [big + 7n, 5n, z]) {
        node.czxid = next;
        expect([node.czxid, node.mzxid, node.pzxid], `${z} then ${next}`).toEqual([next, z, z + 1n]);
        expect(node.createdAfter(next, Number(next))).toBe(false);
        expect(node.createdAfter(next - 1n, Number(next - 1n))).toBe(true);
      }
    }
  });

  it('a node restored from a number is the node made from the bigint', () => {
    for (const [z, owner] of [[0, 0n], [42, 0n], [2 ** 40 + 3, 0x55n], [2 ** 53 - 1, 0n]] as Array<[number, bigint]>) {
      const restored = ZNode.restored(OPEN_ACL_UNSAFE, z, T, owner);
      const made = new ZNode(null, OPEN_ACL_UNSAFE, BigInt(z), T, owner);
      expect(restored.stat()).toEqual(made.stat());
      expect([restored.czxidNumber, restored.unchanged]).toEqual([made.czxidNumber, made.unchanged]);
      restored.mzxid = BigInt(z) + 2n;
      expect([restored.czxid, restored.mzxid, restored.pzxid]).toEqual([BigInt(z), BigInt(z) + 2n, BigInt(z)]);
    }
  });
});
