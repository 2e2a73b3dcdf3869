/** Up to this many names one Set holds them all (and keeps them in insertion order). */
export const SHARD_AT = 8192;
/** Shards once sharded: 1M children are 256 Sets of ~4k names. */
const SHARDS = 256;
/** Adds to a sharded set wait for this many, then go in together (see ChildNames.pending). */
const PENDING_MAX = 65536;

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
  /** Names in `one` or the shards (not counting `pending`). */
  private count = 0;
  /**
   * Names added once sharded and not yet put in their shard, in the order they came. A burst of
   * adds (log replay: 1M creates under one parent) goes into the shards PENDING_MAX at a time,
   * shard by shard: each insert then touches a table that is already in the CPU cache, where
   * one by one every insert lands in a random one of 256 tables (~3× the CPU). Each shard gets
   * its names in the same order, so the state is as if they were added one by one. Anything but
   * add() puts them in first.
   */
  private pending: string[] = [];

  get size(): number {
    if (this.pending.length > 0) this.flush();
    return this.count;
  }

  has(name: string): boolean {
    if (this.one) return this.one.has(name);
    if (this.pending.length > 0) this.flush();
    return this.shards![shardOf(name)].has(name);
  }

  add(name: string): this {
    const one = this.one;
    if (one === null) {
      if (this.pending.push(name) >= PENDING_MAX) this.flush();
      return this;
    }
    const before = one.size;
    one.add(name);
    if (one.size !== before && ++this.count > SHARD_AT) this.split(one);
    return this;
  }

  delete(name: string): boolean {
    if (this.pending.length > 0) this.flush();
    const set = this.one ?? this.shards![shardOf(name)];
    if (!set.delete(name)) return false;
    this.count--;
    return true;
  }

  /** The names as an array: in insertion order while unsharded, shard by shard after. */
  toArray(): string[] {
    if (this.one) return [...this.one];
    if (this.pending.length > 0) this.flush();
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
      if (this.pending.length > 0) this.flush();
      for (const shard of this.shards!) for (const name of shard) if (!one.has(name)) yield name;
      return;
    }
    if (this.pending.length > 0) this.flush();
    for (const shard of this.shards!) {
      // (names added meanwhile wait in `pending`: put them in before going on, as a Set's iterator would see them)
      for (const name of shard) {
        yield name;
        if (this.pending.length > 0) this.flush();
      }
    }
  }

  private split(one: Set<string>): void {
    const shards = Array.from({ length: SHARDS }, () => new Set<string>());
    for (const name of one) shards[shardOf(name)].add(name);
    this.shards = shards;
    this.one = null;
  }

  /** Puts the pending names in their shards, shard by shard, each shard's in the order they came. */
  private flush(): void {
    const names = this.pending;
    this.pending = [];
    const shards = this.shards!;
    const n = names.length;
    const of = new Uint8Array(n);
    const starts = new Int32Array(SHARDS + 1);
    for (let i = 0; i < n; i++) starts[(of[i] = shardOf(names[i])) + 1]++;
    for (let s = 0; s < SHARDS; s++) starts[s + 1] += starts[s];
    const order = new Array<string>(n);
    for (let i = 0; i < n; i++) order[starts[of[i]]++] = names[i];
    let i = 0;
    for (let s = 0; s < SHARDS; s++) {
      const shard = shards[s];
      const before = shard.size;
      for (const end = starts[s]; i < end; i++) shard.add(order[i]);
      this.count += shard.size - before;
    }
  }
}

/** FNV-1a of the name's UTF-16 units, reduced to a shard index. */
function shardOf(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return (h ^ (h >>> 16)) & (SHARDS - 1);
}
