import { defineConfig } from 'tsup';
import { library } from '../../tsup.base.ts';

export default defineConfig([
  library({ clean: false }),
  // the `zoo` bin: ESM only (top-level await)
  library({ entry: ['src/cli.ts'], format: ['esm'], dts: false, clean: false, banner: { js: '#!/usr/bin/env node' } }),
]);
