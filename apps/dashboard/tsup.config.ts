import { defineConfig } from 'tsup';
import { library } from '../../tsup.base.ts';

export default defineConfig([
  library({ format: ['esm'], clean: false }),
  // the bin: `zoo-dashboard`, ESM only (top-level await)
  library({ entry: ['src/bin.ts'], format: ['esm'], dts: false, clean: false, banner: { js: '#!/usr/bin/env node' } }),
]);
