#!/usr/bin/env node
// Runs every suite in one vitest run and ends with the one line CI reads:
// `N passed, N failed, N skipped`. Exits non-zero on any failure, including a vitest crash.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'zoo-test-'));
const summaryFile = join(dir, 'summary.json');
const vitest = join(process.cwd(), 'node_modules', 'vitest', 'vitest.mjs');
const run = spawnSync(process.execPath, [vitest, 'run', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, ZOO_TEST_SUMMARY: summaryFile },
});

let summary = { passed: 0, failed: 1, skipped: 0 };
if (existsSync(summaryFile)) summary = JSON.parse(readFileSync(summaryFile, 'utf8'));
else console.error('vitest ended without a summary: counted as a failure');
rmSync(dir, { recursive: true, force: true });

const failed = summary.failed + (run.status !== 0 && summary.failed === 0 ? 1 : 0);
console.log(`${summary.passed} passed, ${failed} failed, ${summary.skipped} skipped`);
process.exit(failed > 0 || run.status !== 0 ? 1 : 0);
