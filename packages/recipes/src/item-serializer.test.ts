import { describe, expect, it } from 'vitest';
import { ZooErrorCode } from '@zoo/core';
import { bufferSerializer, deserializeItems, serializeItems, stringSerializer } from './item-serializer.js';
import { priorityName } from './distributed-priority-queue.js';

describe("Curator's queue item framing", () => {
  it('frames items as version, (0x01, length, bytes)*, 0x02 and reads them back', () => {
    const bytes = serializeItems(['ab', '', 'é'], stringSerializer);
    expect([...bytes]).toEqual([0, 1, 0, 1, 1, 0, 0, 0, 2, 0x61, 0x62, 1, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0xc3, 0xa9, 2]);
    expect(deserializeItems(bytes, stringSerializer)).toEqual(['ab', '', 'é']);
    expect(deserializeItems(serializeItems([Buffer.from([9, 8])], bufferSerializer), bufferSerializer)).toEqual([Buffer.from([9, 8])]);
  });

  it('rejects what Curator would reject, naming the problem', () => {
    const good = serializeItems(['x'], stringSerializer);
    const cases: Array<[Buffer, RegExp]> = [
      [Buffer.from([0, 1, 0, 2, 2]), /version 0x10002/],
      [Buffer.from([0, 1, 0, 1, 7]), /opcode 7/],
      [good.subarray(0, good.length - 1), /no end marker/],
      [Buffer.from([0, 1, 0, 1, 1, 0, 0, 0, 9, 0x61, 2]), /bad size 9/],
      [Buffer.from([0, 1]), /2 bytes/],
    ];
    for (const [bytes, why] of cases) {
      expect(() => deserializeItems(bytes, stringSerializer)).toThrow(why);
      expect(() => deserializeItems(bytes, stringSerializer)).toThrow(expect.objectContaining({ code: ZooErrorCode.MARSHALLINGERROR }));
    }
  });
});

describe("Curator's priority names", () => {
  it('sort by priority: "0" + two\'s complement for negatives, "1" + hex for the rest', () => {
    expect(priorityName(0)).toBe('100000000');
    expect(priorityName(255)).toBe('1000000FF');
    expect(priorityName(-1)).toBe('0FFFFFFFF');
    expect(priorityName(-(2 ** 31))).toBe('080000000');
    expect(priorityName(2 ** 31 - 1)).toBe('17FFFFFFF');
    const priorities = [5, -3, 0, 2 ** 31 - 1, -(2 ** 31), -1, 1];
    expect(priorities.map(priorityName).sort()).toEqual([...priorities].sort((a, b) => a - b).map(priorityName));
    expect(() => priorityName(1.5)).toThrow(/32-bit/);
  });
});
