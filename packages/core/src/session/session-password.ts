/**
 * ZooKeeper derives a session's 16-byte password from its id: java.util.Random seeded with
 * `sessionId ^ 0xB3415C00`, then nextBytes(16). Reproducing it exactly means a Zoo session
 * password looks like ZooKeeper's, and it need not be stored.
 */
const MULTIPLIER = 0x5deece66dn;
const MASK = (1n << 48n) - 1n;

export function sessionPassword(sessionId: bigint): Buffer {
  let seed = ((BigInt.asIntN(64, sessionId ^ 0xb3415c00n)) ^ MULTIPLIER) & MASK;
  const out = Buffer.alloc(16);
  for (let i = 0; i < 16; ) {
    seed = (seed * MULTIPLIER + 0xbn) & MASK;
    let rnd = Number(BigInt.asIntN(32, seed >> 16n)); // nextInt()
    for (let n = Math.min(16 - i, 4); n-- > 0; rnd >>= 8) out[i++] = rnd & 0xff;
  }
  return out;
}
