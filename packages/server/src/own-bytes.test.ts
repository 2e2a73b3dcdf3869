import { describe, expect, it } from 'vitest';
import { encodeNotification, EventType, KeeperState } from '@zoo/core';
import { ownBytes } from './own-bytes.js';

describe('ownBytes', () => {
  it("copies a notification out of the encoders' shared slab, bytes unchanged", () => {
    const frame = encodeNotification(5n, { type: EventType.NodeDataChanged, state: KeeperState.SyncConnected, path: '/a' });
    expect(frame.buffer.byteLength).toBeGreaterThan(8 * 1024); // a view of the slab
    const own = ownBytes(frame);
    expect(own).not.toBe(frame);
    expect(own.buffer.byteLength).toBeLessThanOrEqual(8 * 1024);
    expect(own.buffer).not.toBe(frame.buffer);
    expect(own.equals(frame)).toBe(true);
  });

  it("keeps a frame with a buffer of its own, or a slice of Node's pool, as it is", () => {
    const big = Buffer.alloc(1024 * 1024, 7);
    expect(ownBytes(big)).toBe(big);
    const pooled = Buffer.from('a small frame');
    expect(pooled.buffer.byteLength).toBeLessThanOrEqual(8 * 1024);
    expect(ownBytes(pooled)).toBe(pooled);
  });
});
