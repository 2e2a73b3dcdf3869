/** Up to this many names one Set holds them all (and keeps them in insertion order). */
export const SHARD_AT = 8192;
/** Shards once sharded: 1M children are 256 Sets of ~4k names. */
const SHARDS = 256;

/**
 * The names of a node's children: a Set of strings, split into SHARDS smaller Sets by a hash of
 * the name once it passes SHARD_AT names. V8's hash tables get slower per insert as they grow
 * (a table of 1M strings is rehashed many times over, and each insert touches a random cache
 * line of tens of MiB): filling one Set with 1M names costs ~6× the CPU of filling a thousand
 * Sets of 1,000, which made a restart with 1M children under one parent much slower than one
 * with the same znodes as 1,000 × 1,000. Iteration is live like a Set's: names added while
 * iterating may be seen, names deleted are not.
 */
export class ChildNames implements Iterable<string> {
  private one: Set<string> | null = new Set();
  private shards: Array<Set<string>> | null = null;
  private count = 0;

  get size(): number {
    return this.count;
  }

  has(name: string): boolean {
    return this.one ? this.one.has(name) : this.shards![shardOf(name)].has(name);
  }

  add(name: string): this {
    const set = this.one ?? this.shards![shardOf(name)];
    const before = set.size;
    set.add(name);
    if (set.size !== before && ++this.count > SHARD_AT && this.one) this.split(this.one);
    return this;
  }

  delete(name: string): boolean {
    const set = this.one ?? this.shards![shardOf(name)];
    if (!set.delete(name)) return false;
    this.count--;
    return true;
  }

  /** The names as an array: in insertion order while unsharded, shard by shard after. */
  toArray(): string[] {
    if (this.one) return [...this.one];
    const out = new Array<string>(this.count);
    let i = 0;
    for (const shard of this.shards!) for (const name of shard) out[i++] = name;
    return out;
  }

  /** Iterates in toArray's order; live, like a Set's iterator (a snapshot is written while writes go on). */
  *[Symbol.iterator](): Iterator<string> {
    const one = this.one;
    if (one) {
      for (const name of one) if (this.one === one || this.has(name)) yield name;
      if (this.one === one) return;
      // split while we were iterating: the old Set no longer changes, the names added since are in the shards
      for (const shard of this.shards!) for (const name of shard) if (!one.has(name)) yield name;
      return;
    }
    for (const shard of this.shards!) yield* shard;
  }

  private split(one: Set<string>): void {
    const shards = Array.from({ length: SHARDS }, () => new Set<string>());
    for (const name of one) shards[shardOf(name)].add(name);
    this.shards = shards;
    this.one = null;
  }
}

/** FNV-1a of the name's UTF-16 units, reduced to a shard index. */
function shardOf(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return (h ^ (h >>> 16)) & (SHARDS - 1);
}
