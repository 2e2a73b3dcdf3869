import type { Options } from 'tsup';

/** The build every library shares: ESM + CJS + .d.ts for Node 20 (see the toolchain notes). */
export function library(overrides: Options = {}): Options {
  return { entry: ['src/index.ts'], format: ['esm', 'cjs'], dts: true, sourcemap: true, clean: true, target: 'node20', ...overrides };
}
