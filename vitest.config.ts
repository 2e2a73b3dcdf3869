import { readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

// Tests import workspace packages by name; point each name at its source so a test run
// never depends on a stale dist/ (npm test still builds everything first for the bins).
const alias: Record<string, string> = {};
for (const dir of ['packages', 'tools', 'apps']) {
  for (const name of readdirSync(`${root}${dir}`)) {
    const entry = `${root}${dir}/${name}/src/index.ts`;
    if (existsSync(entry)) alias[`@zoo/${name}`] = entry;
  }
}

export default defineConfig({
  resolve: { alias },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'apps/*/src/**/*.test.ts',
      'apps/*/test/**/*.test.ts',
      'tools/*/src/**/*.test.ts',
      'tools/*/test/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', './tools/scripts/summary-reporter.ts'],
  },
});
