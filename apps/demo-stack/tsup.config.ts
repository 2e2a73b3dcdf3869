import { defineConfig } from 'tsup';
import { library } from '../../tsup.base.ts';

// index: the supervisor (startDemo); main: the entry each demo process runs.
export default defineConfig(library({ entry: ['src/index.ts', 'src/main.ts'], format: ['esm'], external: ['express'] }));
