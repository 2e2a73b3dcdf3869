import { defineConfig } from 'tsup';
import { library } from '../../tsup.base.ts';

// @swc/core keeps Nest's decorator metadata in the build.
export default defineConfig(library({ format: ['esm'], external: [/^@nestjs\//, 'reflect-metadata', 'rxjs'] }));
