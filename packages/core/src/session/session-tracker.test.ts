import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock.js';
import { SessionTracker } from './session-tracker.js';

const TICK = 2000;

/** Runs the reaper as a server does: sleep waitTime(), then look; returns the look times and what each found. */
function reap(tracker: SessionTracker, clock: FakeClock, until: number) {
  const looks: Array<{ at: number; expired: bigint[] }> = [];
  while (clock.now() < until) {
    clock.advance(tracker.waitTime());
    const expired = tracker.expired().map((s) => s.id);
    looks.push({ at: clock.now(), expired });
    for (const id of expired) tracker.setClosing(id);
  }
  return looks;
}

describe('SessionTracker expiry (ZooKeeper ExpiryQueue semantics)', () => {
  it('rounds a deadline up to the next tick boundary', () => {
    const clock = new FakeClock(1_700_000_000_700);
    const tracker = new SessionTracker(clock, TICK);
    const session = tracker.add(1n, 10_000);
    expect(session.expiresAt % TICK).toBe(0);
    expect(session.expiresAt).toBeGreaterThan(clock.now() + 10_000);
    expect(session.expiresAt).toBeLessThanOrEqual(clock.now() + 10_000 + TICK);
    expect(session.expiresAt).toBe(1_700_000_012_000);
  });

  it('wakes the reaper on tick boundaries only, and expires a session at the first one on or after its deadline', () => {
    const clock = new FakeClock(1_700_000_000_700);
    const tracker = new SessionTracker(clock, TICK);
    expect(tracker.waitTime()).toBe(1300);
    const session = tracker.add(1n, 10_000);
    const looks = reap(tracker, clock, session.expiresAt + 3 * TICK);
    for (const look of looks) expect(look.at % TICK).toBe(0);
    const found = looks.filter((l) => l.expired.length > 0);
    expect(found).toEqual([{ at: session.expiresAt, expired: [1n] }]);
  });

  it('a session touched again moves to a later bucket; one left alone expires at its own', () => {
    const clock = new FakeClock(1_700_000_000_000);
    const tracker = new SessionTracker(clock, TICK);
    const a = tracker.add(1n, 6000);
    const b = tracker.add(2n, 6000);
    clock.advance(2500);
    tracker.touch(1n);
    expect(a.expiresAt).toBe(1_700_000_010_000);
    expect(b.expiresAt).toBe(1_700_000_008_000);
    const looks = reap(tracker, clock, 1_700_000_012_000).filter((l) => l.expired.length > 0);
    expect(looks).toEqual([
      { at: 1_700_000_008_000, expired: [2n] },
      { at: 1_700_000_010_000, expired: [1n] },
    ]);
  });

  it('a reaper that wakes early looks again at the same boundary; a late one catches up at once', () => {
    const clock = new FakeClock(1_700_000_000_000);
    const tracker = new SessionTracker(clock, TICK);
    const s = tracker.add(1n, 4000);
    expect(s.expiresAt).toBe(1_700_000_006_000);
    clock.advance(5999);
    expect(tracker.expired()).toEqual([]);
    expect(tracker.waitTime()).toBe(1);
    clock.advance(2500);
    expect(tracker.expired().map((x) => x.id)).toEqual([1n]);
    // next look: the boundary after this late one
    expect(tracker.waitTime()).toBe(1_700_000_010_000 - clock.now());
  });
});
