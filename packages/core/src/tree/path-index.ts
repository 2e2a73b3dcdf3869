import { randomFillSync } from 'node:crypto';

const EMPTY = -1;
const DELETED = -2;
/** Smallest slot table; always a power of two. */
const MIN_SLOTS = 16;

const SEED = randomFillSync(new Int32Array(1))[0];

/** The seeded hash of a path: FNV-1a over its UTF-16 units, then a final mix for the low bits the table uses. */
export function pathHash(path: string): number {
  let h = SEED ^ 0x811c9dc5;
  for (let i = 0; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), 0x01000193);
  // (FNV leaves the last characters weakly mixed into the low bits: consecutive names would sit in runs of slots)
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h | 0;
}

/**
 * A position in a PathIndex's insertion order, for walks that go on across turns of the event
 * loop (a snapshot written in chunks while writes go on): `next()` moves to the next live entry
 * and sets `key` and `value`, or returns false at the end (and from then on, as an iterator
 * does). It stays valid whatever the index does meanwhile (a compaction moves it with the entries).
 */
export class PathCursor<V> {
  key = '';
  value: V | undefined = undefined;
  /** The index of the next entry to look at. */
  pos = 0;
  /** (set by the index: its entry in the index's set of open cursors) */
  ref: WeakRef<PathCursor<V>> | null = null;

  constructor(private readonly index: PathIndex<V>) {}

  next(): boolean {
    return this.index.advance(this);
  }

  /** Done with it before the end (a walk broken off): the index need no longer move it, next() is false. */
  close(): void {
    this.index.release(this);
  }
}

/**
 * The tree's path → node map: a Map's API and semantics (insertion order; a key set again keeps
 * its place; iteration is live: it sees entries added meanwhile, not the ones deleted) on an
 * open-addressing table of Int32Arrays, with keys, values and hashes in insertion order beside it.
 *
 * Why not a Map: V8's hash tables slow down as they grow, and the tree's is the largest in the
 * process. Filling a Map with 1M paths costs ~0.5 µs per insert (each rehash touches every entry
 * again, each insert a random cache line of a table of tens of MiB, and every slot holding a new
 * object is remembered for the scavenger); a restart from a snapshot of 1M znodes spent a third
 * of its time there. Here an insert writes one Int32 slot and appends to three arrays, and a
 * rebuild reuses the stored hashes. Lookups of fresh strings (every request's path) are faster
 * too: the hash is a short loop over the path, where a Map hashes the string in the runtime.
 *
 * The hash is seeded per process, so paths that collide cannot be prepared in advance (a client
 * choosing paths must not be able to make every lookup walk a long run of slots).
 */
export class PathIndex<V> implements Iterable<[string, V]> {
  /** Per slot: the index of its entry, EMPTY or DELETED. Linear probing. */
  private slots = new Int32Array(MIN_SLOTS).fill(EMPTY);
  /** Slots that are not EMPTY (live entries and DELETED marks): what a lookup may have to walk. */
  private filled = 0;
  /** The entries in insertion order; a deleted entry leaves a hole (key undefined) until a compaction. */
  private keyList: Array<string | undefined> = [];
  private valueList: Array<V | undefined> = [];
  private hashList = new Int32Array(MIN_SLOTS);
  /** Entries appended (live ones and holes). */
  private used = 0;
  private live = 0;
  /** Cursors not at their end yet, moved by a compaction; weak: a walk dropped half way does not pin its cursor. */
  private readonly cursors = new Set<WeakRef<PathCursor<V>>>();

  get size(): number {
    return this.live;
  }

  get(key: string): V | undefined {
    const s = this.slotOf(key, pathHash(key));
    return s < 0 ? undefined : this.valueList[this.slots[s]];
  }

  has(key: string): boolean {
    return this.slotOf(key, pathHash(key)) >= 0;
  }

  /** Sets the value of `key`: in its place if it is there, else as the last entry. */
  set(key: string, value: V): this {
    const hash = pathHash(key);
    let s = this.slotOf(key, hash);
    if (s >= 0) {
      this.valueList[this.slots[s]] = value;
      return this;
    }
    // (the empty slot the search ended at, unless making room builds a new table)
    s = ~s;
    const before = this.slots;
    if (this.used === this.hashList.length) this.makeRoom();
    if ((this.filled + 1) * 2 > this.slots.length) this.rebuild(this.holes * 4 >= this.used);
    const slots = this.slots;
    if (slots !== before) {
      const mask = slots.length - 1;
      s = hash & mask;
      while (slots[s] !== EMPTY) s = (s + 1) & mask;
    }
    const entry = this.used++;
    this.keyList[entry] = key;
    this.valueList[entry] = value;
    this.hashList[entry] = hash;
    slots[s] = entry;
    this.filled++;
    this.live++;
    return this;
  }

  delete(key: string): boolean {
    const s = this.slotOf(key, pathHash(key));
    if (s < 0) return false;
    const e = this.slots[s];
    this.slots[s] = DELETED;
    this.keyList[e] = undefined;
    this.valueList[e] = undefined;
    this.live--;
    // (a table emptied by deletes gives its memory back, as a Map does)
    if (this.slots.length > 1024 && this.live * 16 < this.slots.length) this.rebuild(true);
    return true;
  }

  clear(): void {
    this.slots = new Int32Array(MIN_SLOTS).fill(EMPTY);
    this.filled = 0;
    this.keyList = [];
    this.valueList = [];
    this.hashList = new Int32Array(MIN_SLOTS);
    this.used = 0;
    this.live = 0;
    // (as a Map's iterators do, open walks go on with what is added after the clear)
    for (const ref of this.cursors) {
      const cursor = ref.deref();
      if (cursor) cursor.pos = 0;
      else this.cursors.delete(ref);
    }
  }

  /** A cursor before the first entry (see PathCursor). */
  cursor(): PathCursor<V> {
    const cursor = new PathCursor(this);
    cursor.ref = new WeakRef(cursor);
    this.cursors.add(cursor.ref);
    return cursor;
  }

  /** (PathCursor.next) */
  advance(cursor: PathCursor<V>): boolean {
    if (cursor.ref === null) return false;
    const keys = this.keyList;
    while (cursor.pos < this.used) {
      const e = cursor.pos++;
      const key = keys[e];
      if (key !== undefined) {
        cursor.key = key;
        cursor.value = this.valueList[e];
        return true;
      }
    }
    this.release(cursor);
    return false;
  }

  /** (PathCursor.close) */
  release(cursor: PathCursor<V>): void {
    if (cursor.ref !== null) this.cursors.delete(cursor.ref);
    cursor.ref = null;
  }

  *entries(): IterableIterator<[string, V]> {
    const c = this.cursor();
    try {
      while (c.next()) yield [c.key, c.value as V];
    } finally {
      c.close();
    }
  }

  *keys(): IterableIterator<string> {
    for (const [key] of this.entries()) yield key;
  }

  *values(): IterableIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }

  private get holes(): number {
    return this.used - this.live;
  }

  /**
   * The slot that holds `key` (whose hash is `hash`), or, if it is not there, ~s (negative) where
   * s is the empty slot the search ended at: where it would go.
   */
  private slotOf(key: string, hash: number): number {
    const slots = this.slots;
    const mask = slots.length - 1;
    for (let s = hash & mask; ; s = (s + 1) & mask) {
      const e = slots[s];
      if (e === EMPTY) return ~s;
      if (e >= 0 && this.hashList[e] === hash && this.keyList[e] === key) return s;
    }
  }

  /** The entry arrays are full: drop the holes if they are many, else grow. */
  private makeRoom(): void {
    if (this.holes * 2 >= this.used) {
      this.rebuild(true);
      if (this.used < this.hashList.length) return;
    }
    const bigger = new Int32Array(this.hashList.length * 2);
    bigger.set(this.hashList);
    this.hashList = bigger;
  }

  /**
   * A new slot table for the live entries (no DELETED marks; at most a quarter full, so the
   * next rebuild is at least as many inserts away as there are entries), after dropping the
   * holes from the entry arrays if `compact`.
   */
  private rebuild(compact: boolean): void {
    if (compact && this.holes > 0) this.compact();
    let size = MIN_SLOTS;
    while (size < this.live * 4) size *= 2;
    const slots = new Int32Array(size).fill(EMPTY);
    const mask = size - 1;
    const keys = this.keyList;
    const hashes = this.hashList;
    for (let e = 0; e < this.used; e++) {
      if (keys[e] === undefined) continue;
      let s = hashes[e] & mask;
      while (slots[s] !== EMPTY) s = (s + 1) & mask;
      slots[s] = e;
    }
    this.slots = slots;
    this.filled = this.live;
  }

  /** Drops the holes from the entry arrays, moving every open cursor with its entries. */
  private compact(): void {
    const used = this.used;
    const keys = this.keyList;
    const values = this.valueList;
    // live entries before each position, for the cursors (only if there are any)
    const before = this.cursors.size > 0 ? new Int32Array(used + 1) : null;
    const newKeys = new Array<string | undefined>(this.live);
    const newValues = new Array<V | undefined>(this.live);
    let capacity = MIN_SLOTS;
    while (capacity < this.live * 2) capacity *= 2;
    const newHashes = new Int32Array(capacity);
    let n = 0;
    for (let e = 0; e < used; e++) {
      if (before !== null) before[e] = n;
      const key = keys[e];
      if (key === undefined) continue;
      newKeys[n] = key;
      newValues[n] = values[e];
      newHashes[n] = this.hashList[e];
      n++;
    }
    if (before !== null) {
      before[used] = n;
      for (const ref of this.cursors) {
        const cursor = ref.deref();
        if (cursor) cursor.pos = before[Math.min(cursor.pos, used)];
        else this.cursors.delete(ref);
      }
    }
    this.keyList = newKeys;
    this.valueList = newValues;
    this.hashList = newHashes;
    this.used = n;
  }
}
