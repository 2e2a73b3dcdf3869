import { describe, expect, it } from 'vitest';
import { sessionPassword } from './session-password.js';

describe('sessionPassword', () => {
  // Reference values printed by java.util.Random(id ^ 0xB3415C00L).nextBytes(new byte[16]) on Java 17.
  it.each([
    [0x100000000000001n, '054cc74a37327db215e702e20c73f005'],
    [0x7234567890abcdefn, 'f7721b383fd583ba74d220ede39f7b43'],
    [-5n, 'd47144b5e45e45c49c3b7fdcd66257ba'],
  ])('matches ZooKeeper for session 0x%s', (id, hex) => {
    expect(sessionPassword(id).toString('hex')).toBe(hex);
  });
});
