import { describe, expect, it } from 'vitest';
import { UndoJournal } from './undo-journal.js';

/** A journal over zxids 1..n whose steps record, when run, "zxid.step" into `ran`. */
function journalOf(stepsPerTxn: number[]) {
  const journal = new UndoJournal();
  const ran: string[] = [];
  stepsPerTxn.forEach((count, i) => {
    const zxid = BigInt(i + 1);
    journal.begin(zxid);
    for (let s = 0; s < count; s++) journal.push(() => ran.push(`${zxid}.${s}`));
  });
  return { journal, ran };
}

describe('UndoJournal', () => {
  it('takes back the txns after a zxid, newest first, each one\'s steps in reverse', () => {
    const { journal, ran } = journalOf([1, 2, 0, 3]);
    expect(journal.undoAfter(1n)).toBe(3);
    expect(ran).toEqual(['4.2', '4.1', '4.0', '2.1', '2.0']);
    expect(journal.undoAfter(0n)).toBe(1);
    expect(ran.at(-1)).toBe('1.0');
    expect(journal.undoAfter(0n)).toBe(0);
  });

  it('drops what became durable, a part or all, and keeps the later txns with their own steps', () => {
    const { journal, ran } = journalOf([2, 1, 3, 1]);
    journal.dropThrough(2n);
    // txns 3 and 4 are kept with their steps: appending after a partial drop lands after them
    journal.begin(5n);
    journal.push(() => ran.push('5.0'));
    expect(journal.undoAfter(3n)).toBe(2);
    expect(ran).toEqual(['5.0', '4.0']);
    expect(journal.undoAfter(0n)).toBe(1);
    expect(ran).toEqual(['5.0', '4.0', '3.2', '3.1', '3.0']);
    journal.dropThrough(10n);
    expect(journal.undoAfter(0n)).toBe(0);
  });

  it('runs steps given as objects as well as functions, in the same order', () => {
    const journal = new UndoJournal();
    const ran: string[] = [];
    journal.begin(1n);
    journal.push(() => ran.push('fn'));
    journal.push({ undo: () => ran.push('object') });
    expect(journal.undoAfter(0n)).toBe(1);
    expect(ran).toEqual(['object', 'fn']);
  });

  it('keeps nothing once every txn is durable, and starts over cleanly', () => {
    const { journal, ran } = journalOf([3, 3]);
    journal.dropThrough(2n);
    journal.begin(3n);
    journal.push(() => ran.push('3.0'));
    journal.dropThrough(1n);
    expect(journal.undoAfter(2n)).toBe(1);
    expect(journal.undoAfter(0n)).toBe(0);
    expect(ran).toEqual(['3.0']);
  });
});
