import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONTAINER_OWNER, isContainerOwner, isEphemeralOwner, isTtlOwner, MAX_TTL, reportedOwner, ttlOf, ttlOwner } from './node-type.js';

/** ZooKeeper's EphemeralType test for a TTL owner: the top byte is 0xFF. */
const ttlByMask = (owner: bigint) => owner !== CONTAINER_OWNER && BigInt.asUintN(64, owner) >> 56n === 0xffn;

describe('owner kinds', () => {
  it('tells TTL owners from session ids, containers and 0 as the top-byte test does', () => {
    const edges = [0n, 1n, -1n, CONTAINER_OWNER, CONTAINER_OWNER + 1n, -(2n ** 56n), -(2n ** 56n) - 1n, -(2n ** 56n) + 1n, 2n ** 63n - 1n, ttlOwner(1n), ttlOwner(MAX_TTL)];
    for (const owner of edges) expect(isTtlOwner(owner), String(owner)).toBe(ttlByMask(owner));
    fc.assert(fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (owner) => isTtlOwner(owner) === ttlByMask(owner)));
  });

  it('a TTL owner keeps its TTL; clients see 0 for TTL nodes and containers and the session for ephemerals', () => {
    fc.assert(fc.property(fc.bigInt({ min: 1n, max: MAX_TTL }), (ttl) => ttlOf(ttlOwner(ttl)) === Number(ttl) && isTtlOwner(ttlOwner(ttl)) && !isEphemeralOwner(ttlOwner(ttl))));
    expect(isContainerOwner(CONTAINER_OWNER)).toBe(true);
    expect(reportedOwner(CONTAINER_OWNER)).toBe(0n);
    expect(reportedOwner(ttlOwner(5n))).toBe(0n);
    expect(reportedOwner(0x7001_0000_0000_0001n)).toBe(0x7001_0000_0000_0001n);
    expect(reportedOwner(0n)).toBe(0n);
  });
});
