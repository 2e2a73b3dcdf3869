import { writeFileSync } from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';

/**
 * Counts every test of the run for the closing line that run-tests.mjs prints last.
 * A test file that fails to load and every unhandled error count as failures, so a
 * broken suite can never look green.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const mod of testModules) {
      let tests = 0;
      for (const test of mod.children.allTests()) {
        tests++;
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      // A module-level error (import failure, a throwing beforeAll) fails the file even
      // when its tests never ran.
      const errors = mod.errors().length;
      if (errors > 0 || (mod.state() === 'failed' && tests === 0)) failed += Math.max(errors, 1);
    }
    failed += unhandledErrors.length;
    const file = process.env.ZOO_TEST_SUMMARY;
    if (file) writeFileSync(file, JSON.stringify({ passed, failed, skipped }));
  }
}
