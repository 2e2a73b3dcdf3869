import { defineConfig } from 'tsup';
import { library } from '../../tsup.base.ts';

export default defineConfig([
  // shims: the CJS build resolves the log-check worker from __filename where the ESM one uses import.meta.url
  library({ clean: false, shims: true }),
  // the worker thread that checks the transaction logs at recovery (see log-checker.ts): its own
  // file next to index.js / index.cjs, in both formats
  library({ entry: { 'log-check-worker': 'src/persistence/log-check-worker.ts' }, dts: false, clean: false }),
  // the bin is ESM only (top-level await)
  library({ entry: ['src/bin.ts'], format: ['esm'], dts: false, clean: false, banner: { js: '#!/usr/bin/env node' } }),
]);
