import { describe, expect, it } from 'vitest';
import { sequenceOf, sortBySequence } from './sequence.js';

describe('Curator node ordering', () => {
  it('sorts by the sequence after the lock name, not by the whole name', () => {
    const nodes = ['_c_ffff-lock-0000000003', '_c_0000-lock-0000000010', '_c_aaaa-lock-0000000001'];
    expect(sortBySequence(nodes, ['lock-'])).toEqual(['_c_aaaa-lock-0000000001', '_c_ffff-lock-0000000003', '_c_0000-lock-0000000010']);
  });

  it('orders read and write nodes of a read-write lock together', () => {
    const nodes = ['_c_b-__WRIT__0000000002', '_c_a-__READ__0000000001', '_c_c-__READ__0000000003'];
    expect(sortBySequence(nodes, ['__READ__', '__WRIT__'])).toEqual(['_c_a-__READ__0000000001', '_c_b-__WRIT__0000000002', '_c_c-__READ__0000000003']);
    expect(sequenceOf('_c_x-lock-0000000042')).toBe(42);
    expect(sequenceOf('nothing')).toBe(-1);
  });
});
