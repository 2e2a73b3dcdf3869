import { defineConfig } from 'tsup';
import { library } from '../../tsup.base.ts';

// @swc/core keeps decorator metadata in the build (without it Nest's DI breaks at run time).
export default defineConfig(library({ external: [/^@nestjs\//, 'reflect-metadata', 'rxjs'] }));
