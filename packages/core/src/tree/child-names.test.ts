import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OPEN_ACL_UNSAFE } from '../acl/ids.js';
import { ChildNames } from './child-names.js';
import { ZNode } from './znode.js';

const node = () => new ZNode(null, OPEN_ACL_UNSAFE, 1n, 0, 0n);

describe('ChildNames', () => {
  it('lists children in the order they were added, each once, and hands out names', () => {
    const c = new ChildNames('/a/b');
    const [x, y, z] = [node(), node(), node()];
    c.add('/a/b/x', x);
    c.add('/a/b/y', y);
    c.add('/a/b/x', x); // listed already
    c.add('/a/b/z', z);
    expect(c.size).toBe(3);
    expect(c.toArray()).toEqual(['x', 'y', 'z']);
    expect([...c]).toEqual(['x', 'y', 'z']);
    expect([...c.paths()]).toEqual(['/a/b/x', '/a/b/y', '/a/b/z']);
    expect(c.remove(y)).toBe(true);
    expect(c.remove(y)).toBe(false);
    expect(y.childSlot).toBe(-1);
    expect(c.toArray()).toEqual(['x', 'z']);
    c.add('/a/b/y', y); // back, at the end
    expect(c.toArray()).toEqual(['x', 'z', 'y']);
    const root = new ChildNames();
    root.add('/q', node());
    expect(root.toArray()).toEqual(['q']);
  });

  it('does not take a node off a list it is not on', () => {
    const a = new ChildNames('/a');
    const b = new ChildNames('/b');
    const n = node();
    a.add('/a/n', n);
    expect(b.remove(n)).toBe(false);
    expect(a.size).toBe(1);
    // listed under a new parent at the same path (a replay after a parent was deleted and created again)
    b.add('/b/n', n);
    expect(b.toArray()).toEqual(['n']);
    expect(b.remove(n)).toBe(true);
  });

  it('puts a node in the place of the one it replaces', () => {
    const c = new ChildNames();
    const [a, old, b, fresh] = [node(), node(), node(), node()];
    c.add('/a', a);
    c.add('/zookeeper', old);
    c.add('/b', b);
    c.replace(old, fresh);
    expect(c.toArray()).toEqual(['a', 'zookeeper', 'b']);
    expect(old.childSlot).toBe(-1);
    expect(c.remove(old)).toBe(false);
    expect(c.remove(fresh)).toBe(true);
    expect(c.toArray()).toEqual(['a', 'b']);
  });

  it('stays the list of a model under any mix of adds and removes, compacting as it goes (property)', () => {
    const op = fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 199 }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 2000 }), (ops) => {
        const c = new ChildNames('/p');
        const nodes = Array.from({ length: 200 }, node);
        const model = new Set<number>();
        for (const [add, i] of ops) {
          if (add) {
            c.add(`/p/n${i}`, nodes[i]);
            model.add(i);
          } else expect(c.remove(nodes[i])).toBe(model.delete(i));
          expect(c.size).toBe(model.size);
        }
        // (a Set keeps insertion order too, and one added again goes to the end in both)
        expect(c.toArray()).toEqual([...model].map((i) => `n${i}`));
        // every listed node knows its place: each can be removed, and nothing is left
        for (const i of model) expect(c.remove(nodes[i])).toBe(true);
        expect(c.size).toBe(0);
        expect(c.toArray()).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('gives the room of removed children back', () => {
    const c = new ChildNames('/lock');
    let last = node();
    c.add('/lock/n0', last);
    for (let i = 1; i < 100_000; i++) {
      const next = node();
      c.add(`/lock/n${i}`, next);
      c.remove(last);
      last = next;
    }
    expect(c.toArray()).toEqual(['n99999']);
    expect((c as unknown as { items: unknown[] }).items.length).toBeLessThan(64);
  });
});
