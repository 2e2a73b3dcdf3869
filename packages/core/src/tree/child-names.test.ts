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
});
