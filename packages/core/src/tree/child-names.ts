/** Up to this many names one Set holds them all (and keeps them in insertion order). */
export const SHARD_AT = 8192;
/** Shards once sharded: 1M children are 256 Sets of ~4k names. */
const SHARDS = 256;
/**
 * Adds to a sharded set wait until there are this many and half as many as the set holds, then
 * go in together (see ChildNames.pending): a batch must grow with the set for each shard to get
 * a run of inserts while its table is in the cache, and the total work stays linear.
 */
const PENDING_MIN = 65536;
/** Up to this many pending names are put in one by one (see flush). */
const SMALL_FLUSH = 64;

/**
 * The names of a node's children, held as the children's full paths: the very strings that key
 * the tree's path map, so a child costs no string of its own and its hash is already computed
 * (a name is cut from the path only when one is asked for). A Set, split into SHARDS smaller
 * Sets by a hash of the name once it passes SHARD_AT children. V8's hash tables get slower per
 * insert as they grow (a table of 1M strings is rehashed many times over, and each insert
 * touches a random cache line of tens of MiB): filling one Set with 1M names costs ~6× the CPU
 * of filling a thousand Sets of 1,000, which made a restart with 1M children under one parent
 * much slower than one with the same znodes as 1,000 × 1,000. Iteration is live like a Set's:
 * names added while iterating may be seen, names deleted are not.
 */
export class ChildNames implements Iterable<string> {
  /** Where a child's name starts in its path: after the parent's path and a '/'. */
  private readonly at: number;
  private one: Set<string> | null = new Set();
  private shards: Array<Set<string>> | null = null;
  /** Children in `one` or the shards (not counting `pending`). */
  private count = 0;
  /**
   * Children added once sharded and not yet put in their shard, in the order they came. A burst
   * of adds (log replay: 1M creates under one parent) goes into the shards many at a time (see
   * PENDING_MIN), shard by shard: each insert then touches a table that is already in the CPU cache, where
   * one by one every insert lands in a random one of 256 tables (~3× the CPU). Each shard gets
   * its children in the same order, so the state is as if they were added one by one. Anything
   * but an add puts them in first.
   */
  private pending: string[] = [];

  /** The children of the node at `parent` (its path). */
  constructor(private readonly parent = '/') {
    this.at = parent === '/' ? 1 : parent.length + 1;
  }

  get size(): number {
    if (this.pending.length > 0) this.flush();
    return this.count;
  }

  private pathOf(name: string): string {
    return this.parent === '/' ? `/${name}` : `${this.parent}/${name}`;
  }

  has(name: string): boolean {
    return this.hasPath(this.pathOf(name));
  }

  /** Whether the child at `path` (a child's path, i.e. under this parent) is here. */
  hasPath(path: string): boolean {
    if (this.one) return this.one.has(path);
    if (this.pending.length > 0) this.flush();
    return this.shards![shardOf(path, this.at)].has(path);
  }

  add(name: string): this {
    return this.addPath(this.pathOf(name));
  }

  /** Adds the child at `path` (a child's path; pass the tree's own string for it, to share it). */
  addPath(path: string): this {
    const one = this.one;
    if (one === null) {
      if (this.pending.push(path) >= PENDING_MIN && this.pending.length >= this.count >> 1) this.flush();
      return this;
    }
    const before = one.size;
    one.add(path);
    if (one.size !== before && ++this.count > SHARD_AT) this.split(one);
    return this;
  }

  delete(name: string): boolean {
    return this.deletePath(this.pathOf(name));
  }

  deletePath(path: string): boolean {
    if (this.pending.length > 0) this.flush();
    const set = this.one ?? this.shards![shardOf(path, this.at)];
    if (!set.delete(path)) return false;
    this.count--;
    return true;
  }

  /** The names as an array: in insertion order while unsharded, shard by shard after. */
  toArray(): string[] {
    const out = new Array<string>(this.size);
    const at = this.at;
    let i = 0;
    if (this.one) for (const path of this.one) out[i++] = path.slice(at);
    else for (const shard of this.shards!) for (const path of shard) out[i++] = path.slice(at);
    return out;
  }

  /** Iterates the names in toArray's order; live, like a Set's iterator (a snapshot is written while writes go on). */
  *[Symbol.iterator](): Iterator<string> {
    const at = this.at;
    for (const path of this.paths()) yield path.slice(at);
  }

  /** The children's paths, in toArray's order; live as the names' iterator is. */
  *paths(): Generator<string> {
    const one = this.one;
    if (one) {
      for (const path of one) if (this.one === one || this.hasPath(path)) yield path;
      if (this.one === one) return;
      // split while we were iterating: the old Set no longer changes, the children added since are in the shards
      if (this.pending.length > 0) this.flush();
      for (const shard of this.shards!) for (const path of shard) if (!one.has(path)) yield path;
      return;
    }
    if (this.pending.length > 0) this.flush();
    for (const shard of this.shards!) {
      // (children added meanwhile wait in `pending`: put them in before going on, as a Set's iterator would see them)
      for (const path of shard) {
        yield path;
        if (this.pending.length > 0) this.flush();
      }
    }
  }

  private split(one: Set<string>): void {
    const shards = Array.from({ length: SHARDS }, () => new Set<string>());
    for (const path of one) shards[shardOf(path, this.at)].add(path);
    this.shards = shards;
    this.one = null;
  }

  /** Puts the pending children in their shards, shard by shard, each shard's in the order they came. */
  private flush(): void {
    const paths = this.pending;
    const shards = this.shards!;
    const at = this.at;
    const n = paths.length;
    if (n <= SMALL_FLUSH) {
      // A live create under a large parent leaves one name here, and the next op reads the set:
      // sorting a handful by shard would cost more than the adds themselves.
      for (let i = 0; i < n; i++) {
        const shard = shards[shardOf(paths[i], at)];
        const before = shard.size;
        shard.add(paths[i]);
        this.count += shard.size - before;
      }
      paths.length = 0;
      return;
    }
    this.pending = [];
    const of = new Uint8Array(n);
    const starts = new Int32Array(SHARDS + 1);
    for (let i = 0; i < n; i++) starts[(of[i] = shardOf(paths[i], at)) + 1]++;
    for (let s = 0; s < SHARDS; s++) starts[s + 1] += starts[s];
    const order = new Array<string>(n);
    for (let i = 0; i < n; i++) order[starts[of[i]]++] = paths[i];
    let i = 0;
    for (let s = 0; s < SHARDS; s++) {
      const shard = shards[s];
      const before = shard.size;
      for (const end = starts[s]; i < end; i++) shard.add(order[i]);
      this.count += shard.size - before;
    }
  }
}

/** FNV-1a of the UTF-16 units of the name (the path from `at` on), reduced to a shard index. */
function shardOf(path: string, at: number): number {
  let h = 0x811c9dc5;
  for (let i = at; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), 0x01000193);
  return (h ^ (h >>> 16)) & (SHARDS - 1);
}
