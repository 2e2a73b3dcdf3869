import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ACL } from '../protocol/records.js';
import { DataTree } from './data-tree.js';

const entryArb = fc.record({
  perms: fc.integer({ min: 0, max: 31 }),
  id: fc.record({ scheme: fc.constantFrom('world', 'digest', 'ip'), id: fc.constantFrom('anyone', 'u:x', '127.0.0.1') }),
});
const listArb = fc.array(entryArb, { minLength: 1, maxLength: 3 });

const key = (acl: readonly ACL[]) => JSON.stringify(acl.map((a) => [a.perms, a.id.scheme, a.id.id]));

describe('DataTree.internACL', () => {
  it('gives one frozen shared copy per distinct list, whatever lists came before, frozen or not, and lists changed after being passed', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ list: listArb, freeze: fc.boolean(), reuse: fc.nat(5), change: fc.boolean() }), { minLength: 1, maxLength: 40 }), (steps) => {
        const tree = new DataTree();
        const byContent = new Map<string, readonly ACL[]>();
        const passed: ACL[][] = [];
        for (const step of steps) {
          // pass a fresh list, or one passed before (possibly changed since, as a caller may)
          let acl: ACL[] = step.list.map((a) => ({ perms: a.perms, id: { ...a.id } }));
          if (step.reuse < passed.length) {
            acl = passed[step.reuse];
            if (step.change && !Object.isFrozen(acl)) acl[0] = { perms: (acl[0].perms + 1) % 32, id: acl[0].id };
          } else if (step.freeze) acl = Object.freeze(acl.map((a) => Object.freeze({ perms: a.perms, id: Object.freeze(a.id) }))) as unknown as ACL[];
          passed.push(acl);
          const shared = tree.internACL(acl);
          expect(key(shared)).toBe(key(acl));
          expect(Object.isFrozen(shared)).toBe(true);
          const before = byContent.get(key(acl));
          if (before) expect(shared).toBe(before);
          else byContent.set(key(acl), shared);
        }
        expect(tree.aclLists().length).toBe(byContent.size);
      }),
      { numRuns: 200 },
    );
  });
});
