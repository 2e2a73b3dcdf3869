import { describe, expect, it } from 'vitest';
import { ChildNames, SHARD_AT } from './child-names.js';

const names = (n: number, prefix = 'n') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('ChildNames', () => {
  it('is a set of names in insertion order while small', () => {
    const c = new ChildNames();
    for (const n of ['b', 'a', 'c', 'a']) c.add(n);
    expect(c.size).toBe(3);
    expect([...c]).toEqual(['b', 'a', 'c']);
    expect(c.toArray()).toEqual(['b', 'a', 'c']);
    expect(c.has('a')).toBe(true);
    expect(c.delete('a')).toBe(true);
    expect(c.delete('a')).toBe(false);
    expect(c.has('a')).toBe(false);
    expect(c.toArray()).toEqual(['b', 'c']);
    expect(c.size).toBe(2);
  });

  it('keeps every name exactly once when it splits into shards, and adds, finds and deletes after', () => {
    const c = new ChildNames();
    const all = names(SHARD_AT * 3);
    for (const n of all) c.add(n);
    for (const n of all.slice(0, 100)) c.add(n); // duplicates do not count
    expect(c.size).toBe(all.length);
    expect(c.toArray().sort()).toEqual([...all].sort());
    expect([...c].sort()).toEqual([...all].sort());
    expect(all.every((n) => c.has(n))).toBe(true);
    expect(c.has('missing')).toBe(false);
    for (const n of all.filter((_, i) => i % 2 === 0)) expect(c.delete(n)).toBe(true);
    expect(c.delete(all[0])).toBe(false);
    expect(c.size).toBe(all.length / 2);
    expect(c.toArray().sort()).toEqual(all.filter((_, i) => i % 2 === 1).sort());
  });

  it('iterates live across a split: names added meanwhile are seen once, names deleted meanwhile are not', () => {
    const c = new ChildNames();
    const first = names(SHARD_AT - 10);
    for (const n of first) c.add(n);
    const it = c[Symbol.iterator]();
    const seen: string[] = [];
    for (let i = 0; i < 5; i++) seen.push(it.next().value as string);
    // this pushes it over SHARD_AT: the rest of the names move to shards
    const later = names(50, 'x');
    for (const n of later) c.add(n);
    c.delete(first[first.length - 1]);
    c.delete(later[0]);
    for (let r = it.next(); !r.done; r = it.next()) seen.push(r.value);
    const want = [...first.slice(0, -1), ...later.slice(1)];
    expect(seen.length).toBe(want.length);
    expect([...seen].sort()).toEqual(want.sort());
    expect(c.size).toBe(want.length);
  });

  it('adds to a sharded set in bursts (put in shard by shard) end in the same state and order as one by one', () => {
    const batched = new ChildNames();
    const oneByOne = new ChildNames();
    const model = new Set<string>();
    let seed = 42;
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    // sharded after the first SHARD_AT + 1 names; then long runs of adds (past the burst size)
    // mixed with re-adds, deletes, lookups and a few reads of the size
    let sizeMismatches = 0;
    for (let round = 0; round < 4; round++) {
      const run = 20_000 + random(60_000);
      for (let i = 0; i < run; i++) {
        const name = `r${round}-${random(200_000)}`;
        batched.add(name);
        oneByOne.add(name);
        if (oneByOne.size !== model.add(name).size) sizeMismatches++; // (reading the size puts every pending name in)
      }
      for (let i = 0; i < 500; i++) {
        const name = `r${random(round + 1)}-${random(200_000)}`;
        expect(batched.delete(name)).toBe(model.delete(name));
        oneByOne.delete(name);
        batched.add(`again-${name}`);
        oneByOne.add(`again-${name}`);
        model.add(`again-${name}`);
        void oneByOne.size;
      }
      expect(batched.has(`r${round}-7`)).toBe(model.has(`r${round}-7`));
    }
    expect(sizeMismatches).toBe(0);
    expect(batched.size).toBe(model.size);
    expect(batched.toArray()).toEqual(oneByOne.toArray());
    expect([...batched]).toEqual(oneByOne.toArray());
    expect(batched.toArray().sort()).toEqual([...model].sort());
  });

  it('a sharded set being iterated sees names added meanwhile (once) and not names deleted meanwhile', () => {
    const c = new ChildNames();
    const first = names(SHARD_AT * 2);
    for (const n of first) c.add(n);
    const it = c[Symbol.iterator]();
    const seen: string[] = [];
    for (let i = 0; i < 10; i++) seen.push(it.next().value as string);
    const later = names(3000, 'y');
    for (const n of later) c.add(n);
    const gone = first.filter((n) => !seen.includes(n)).slice(0, 100);
    for (const n of gone) c.delete(n);
    for (let r = it.next(); !r.done; r = it.next()) seen.push(r.value);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((n) => gone.includes(n))).toEqual([]);
    // every name there from start to end is seen; a name added meanwhile is seen unless its shard was already passed
    const kept = first.filter((n) => !gone.includes(n));
    expect(kept.every((n) => seen.includes(n))).toBe(true);
    expect(seen.length).toBeLessThanOrEqual(kept.length + later.length);
    expect(c.size).toBe(kept.length + later.length);
  });

  it('holds the children as paths under its parent and hands out names, in the same order whatever the parent', () => {
    const deep = new ChildNames('/a/b');
    const root = new ChildNames();
    const all = names(SHARD_AT + 500, 'c');
    for (const n of all) {
      deep.addPath(`/a/b/${n}`);
      root.add(n);
    }
    expect(deep.size).toBe(all.length);
    expect(deep.has('c7')).toBe(true);
    expect(deep.hasPath('/a/b/c7')).toBe(true);
    expect(deep.hasPath('/a/bc7')).toBe(false);
    expect(deep.toArray()).toEqual(root.toArray());
    expect([...deep]).toEqual(root.toArray());
    expect([...deep.paths()]).toEqual(root.toArray().map((n) => `/a/b/${n}`));
    expect(deep.deletePath('/a/b/c7')).toBe(true);
    expect(deep.delete('c8')).toBe(true);
    expect(deep.has('c7') || deep.has('c8')).toBe(false);
    expect(deep.size).toBe(all.length - 2);
  });
});
