import { expect, test } from 'vitest';
import { VERSION } from '@zoo/core';
test('version', () => { expect(VERSION).toMatch(/^\d+\.\d+\.\d+$/); });
