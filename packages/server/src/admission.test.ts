import { describe, expect, it } from 'vitest';
import { Admission, DEFAULT_ADMISSION_LIMITS } from './admission.js';

const nextTurn = () => new Promise((r) => setImmediate(r));

describe('Admission', () => {
  it('defaults to ZooKeeper\'s globalOutstandingLimit of 1000', () => {
    expect(new Admission().limits).toEqual(DEFAULT_ADMISSION_LIMITS);
    expect(DEFAULT_ADMISSION_LIMITS.globalOutstandingLimit).toBe(1000);
  });

  it('admits a request only under every limit; over the global output budget only clients holding nothing', () => {
    const a = new Admission({ globalOutstandingLimit: 2, clientOutputSoftLimit: 100, globalOutputLimit: 1000, clientOutputHardLimit: 200 });
    expect(a.admits(0)).toBe(true);
    expect(a.admits(99)).toBe(true);
    expect(a.admits(100)).toBe(false);
    a.outputBytes = 1000;
    expect(a.admits(1)).toBe(false);
    expect(a.admits(0)).toBe(true);
    a.outputBytes = 0;
    a.outstanding = 2;
    expect(a.admits(0)).toBe(false);
  });

  it('wakes waiters once the limit they wait on has cleared, in a later turn', async () => {
    const a = new Admission({ globalOutstandingLimit: 1, globalOutputLimit: 10 });
    const woken: string[] = [];
    a.outstanding = 1;
    a.wait({ resumeReading: () => woken.push('outstanding') });
    a.outstanding = 0;
    a.outputBytes = 10;
    a.wait({ resumeReading: () => woken.push('output') });
    a.released();
    expect(woken).toEqual([]);
    await nextTurn();
    expect(woken).toEqual(['outstanding']);
    // output still over the budget: its waiter is not polled
    a.released();
    await nextTurn();
    expect(woken).toEqual(['outstanding']);
    a.outputBytes = 9;
    a.released();
    await nextTurn();
    expect(woken).toEqual(['outstanding', 'output']);
    expect(a.waitingCount).toBe(0);
  });

  it('a forgotten waiter (its connection closed) is not woken', async () => {
    const a = new Admission({ globalOutstandingLimit: 1 });
    let woken = false;
    const waiter = { resumeReading: () => void (woken = true) };
    a.outstanding = 1;
    a.wait(waiter);
    a.forget(waiter);
    a.outstanding = 0;
    a.released();
    await nextTurn();
    expect(woken).toBe(false);
  });

  it('refuses limits that are not positive integers, or a hard limit below the soft one', () => {
    expect(() => new Admission({ clientOutputTimeoutMs: 1.5 })).toThrow(/clientOutputTimeoutMs must be a positive integer, got 1.5/);
    expect(() => new Admission({ globalOutputLimit: -1 })).toThrow(/globalOutputLimit must be a positive integer/);
    expect(() => new Admission({ clientOutputSoftLimit: 10, clientOutputHardLimit: 5 })).toThrow(/clientOutputHardLimit \(5\) must not be below clientOutputSoftLimit \(10\)/);
  });
});
