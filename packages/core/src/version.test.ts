import { expect, test } from 'vitest';
import { VERSION } from './index.js';
test('version', () => { expect(VERSION).toMatch(/^\d+\.\d+\.\d+$/); });
