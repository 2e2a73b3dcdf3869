import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pathHash, PathIndex } from './path-index.js';

/** What a walk saw: each step's entry, or 'end'. */
type Step = [string, number] | 'end';

/** An index of /n0 … /n{n-1} (values 0 … n-1) and a walk `steps` entries into it. */
function walkedPart(n: number, steps: number) {
  const index = new PathIndex<number>();
  for (let i = 0; i < n; i++) index.set(`/n${i}`, i);
  const walk = index.cursor();
  for (let i = 0; i < steps; i++) walk.next();
  return { index, walk };
}

describe('PathIndex', () => {
  it('is a map in insertion order; a key set again keeps its place', () => {
    const index = new PathIndex<number>();
    for (const [k, v] of [['/b', 1], ['/a', 2], ['/c', 3], ['/a', 4]] as const) index.set(k, v);
    expect(index.size).toBe(3);
    expect([...index]).toEqual([['/b', 1], ['/a', 4], ['/c', 3]]);
    expect([...index.keys()]).toEqual(['/b', '/a', '/c']);
    expect([...index.values()]).toEqual([1, 4, 3]);
    expect(index.get('/a')).toBe(4);
    expect(index.has('/x')).toBe(false);
    expect(index.get('/x')).toBeUndefined();
    expect(index.delete('/a')).toBe(true);
    expect(index.delete('/a')).toBe(false);
    index.set('/a', 5);
    expect([...index.keys()]).toEqual(['/b', '/c', '/a']);
    index.clear();
    expect(index.size).toBe(0);
    expect([...index]).toEqual([]);
  });

  it('holds a million paths and finds each by a fresh string', () => {
    const index = new PathIndex<number>();
    const n = 1_000_000;
    for (let i = 0; i < n; i++) index.set(`/p/n${i}`, i);
    expect(index.size).toBe(n);
    let wrong = 0;
    for (let i = 0; i < n; i += 7) if (index.get(['/p', `n${i}`].join('/')) !== i) wrong++;
    expect(wrong).toBe(0);
    expect(index.get('/p/n1000000')).toBeUndefined();
    // every other one deleted: the rest is still found, in order
    for (let i = 0; i < n; i += 2) index.delete(`/p/n${i}`);
    expect(index.size).toBe(n / 2);
    let k = 1;
    for (const [path, value] of index) {
      if (path !== `/p/n${k}` || value !== k) wrong++;
      k += 2;
    }
    expect(wrong).toBe(0);
    expect(k).toBe(n + 1);
  });

  it('gives the memory of deleted entries back (compacts) without losing the rest', () => {
    const index = new PathIndex<number>();
    // churn: the same few live keys, created and deleted over and over (lock nodes)
    for (let i = 0; i < 200_000; i++) {
      index.set(`/lock/n${i}`, i);
      if (i >= 3) index.delete(`/lock/n${i - 3}`);
    }
    expect([...index.keys()]).toEqual(['/lock/n199997', '/lock/n199998', '/lock/n199999']);
    // (internal sizes: entries and slots stay proportional to the live keys, not to the history)
    const inner = index as unknown as { used: number; slots: Int32Array };
    expect(inner.used).toBeLessThan(64);
    expect(inner.slots.length).toBeLessThan(256);
  });

  it('spreads consecutive names over the slots (no long probe runs)', () => {
    const bits = 16;
    const seen = new Uint8Array(1 << bits);
    for (let i = 0; i < 1 << (bits - 2); i++) seen[pathHash(`/services/catalog/n${String(i).padStart(10, '0')}`) & ((1 << bits) - 1)]++;
    // a quarter-full table: an ideal hash leaves e^-0.25 ≈ 78% of slots empty
    const empty = seen.filter((c) => c === 0).length / seen.length;
    expect(empty).toBeGreaterThan(0.75);
    expect(empty).toBeLessThan(0.81);
  });

  it('walks live exactly as a Map iterator does, across any mix of changes (property)', () => {
    const key = fc.integer({ min: 0, max: 40 }).map((i) => `/k${i}`);
    const op = fc.oneof(
      fc.tuple(fc.constant('set' as const), key, fc.integer()),
      fc.tuple(fc.constant('delete' as const), key),
      fc.tuple(fc.constant('step' as const), fc.integer({ min: 0, max: 2 })),
      fc.tuple(fc.constant('clear' as const)),
      fc.tuple(fc.constant('bulk' as const), fc.integer({ min: 0, max: 300 })),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const index = new PathIndex<number>();
        const map = new Map<string, number>();
        // three walks at once over each, started at different times
        const cursors = [index.cursor(), index.cursor(), index.cursor()];
        const iterators = [map.entries(), map.entries(), map.entries()];
        const seen: Step[][] = [[], [], []];
        const expected: Step[][] = [[], [], []];
        for (const o of ops) {
          if (o[0] === 'set') {
            index.set(o[1], o[2]);
            map.set(o[1], o[2]);
          } else if (o[0] === 'delete') {
            expect(index.delete(o[1])).toBe(map.delete(o[1]));
          } else if (o[0] === 'clear') {
            index.clear();
            map.clear();
          } else if (o[0] === 'bulk') {
            // enough inserts and deletes to make the index rebuild and compact under the walks
            for (let i = 0; i < o[1]; i++) {
              index.set(`/b${i}`, i);
              map.set(`/b${i}`, i);
            }
            for (let i = 0; i < o[1]; i += 3) {
              index.delete(`/b${i}`);
              map.delete(`/b${i}`);
            }
          } else {
            const w = o[1];
            seen[w].push(cursors[w].next() ? [cursors[w].key, cursors[w].value!] : 'end');
            const r = iterators[w].next();
            expected[w].push(r.done ? 'end' : r.value);
          }
          expect(index.size).toBe(map.size);
        }
        expect(seen).toEqual(expected);
        expect([...index]).toEqual([...map]);
        for (const [k, v] of map) expect(index.get(k)).toBe(v);
      }),
      { numRuns: 300 },
    );
  });

  it('moves a walk with its entries when it compacts, and forgets a walk closed or dropped', () => {
    const { index, walk } = walkedPart(100, 50);
    expect(walk.key).toBe('/n49');
    // delete most of what is behind and ahead of the walk, then insert until it rebuilds
    for (let i = 0; i < 95; i++) if (i !== 60 && i !== 70) index.delete(`/n${i}`);
    for (let i = 100; i < 400; i++) index.set(`/n${i}`, i);
    const rest: string[] = [];
    while (walk.next()) rest.push(walk.key);
    expect(rest.slice(0, 8)).toEqual(['/n60', '/n70', '/n95', '/n96', '/n97', '/n98', '/n99', '/n100']);
    expect(rest.length).toBe(2 + 5 + 300);
    const open = index as unknown as { cursors: Set<unknown> };
    expect(open.cursors.size).toBe(0); // a walk at its end is forgotten
    const broken = index.cursor();
    broken.next();
    expect(open.cursors.size).toBe(1);
    broken.close();
    expect(open.cursors.size).toBe(0);
    for (const [k] of index) if (k === '/n97') break; // a for-of broken off closes its walk
    expect(open.cursors.size).toBe(0);
  });

  it('keeps a walk in place when deletes shrink the table under it', () => {
    const { index, walk } = walkedPart(5000, 2000);
    expect(walk.key).toBe('/n1999');
    const inner = index as unknown as { slots: Int32Array };
    const before = inner.slots.length;
    // all but every 100th go: the table shrinks (and drops its holes) while the walk is half way
    for (let i = 0; i < 5000; i++) if (i % 100 !== 0) index.delete(`/n${i}`);
    expect(inner.slots.length).toBeLessThan(before);
    const rest: number[] = [];
    while (walk.next()) rest.push(walk.value!);
    expect(rest).toEqual(Array.from({ length: 30 }, (_, k) => 2000 + k * 100));
    expect([...index.values()].length).toBe(50);
  });
});
