/**
 * How ZooKeeper encodes a znode's kind in its (internal) ephemeralOwner (EphemeralType):
 * 0 persistent, a session id for ephemerals, Long.MIN_VALUE for containers, and
 * 0xFF00_0000_0000_0000 | ttl for TTL nodes. Clients see 0 for containers and TTL nodes.
 */
export const CONTAINER_OWNER = -0x8000000000000000n;
const TTL_MASK = -0x0100000000000000n; // 0xFF00000000000000 as a signed long
const TTL_VALUE_MASK = 0x00ffffffffffffffn;
/** The largest TTL ZooKeeper accepts (2^40 - 1 ms). */
export const MAX_TTL = 0xff_ffff_ffffn;

export function ttlOwner(ttl: bigint): bigint {
  return TTL_MASK | ttl;
}

export function isContainerOwner(owner: bigint): boolean {
  return owner === CONTAINER_OWNER;
}

export function isTtlOwner(owner: bigint): boolean {
  // (owner & TTL_MASK) === TTL_MASK, told by comparing: `&` makes a bigint, on every ephemeral's
  // create and stat. (A container's owner, -2^63, is below the range.)
  return owner < 0n && owner >= TTL_MASK;
}

export function ttlOf(owner: bigint): number {
  return Number(owner & TTL_VALUE_MASK);
}

/** A session id (a normal ephemeral)? */
export function isEphemeralOwner(owner: bigint): boolean {
  return owner !== 0n && !isContainerOwner(owner) && !isTtlOwner(owner);
}

/** What Stat.ephemeralOwner shows clients. */
export function reportedOwner(owner: bigint): bigint {
  return isEphemeralOwner(owner) ? owner : 0n;
}
