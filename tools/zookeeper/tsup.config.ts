import { defineConfig } from 'tsup';
import { library } from '../../tsup.base.ts';

// Built so the benchmark scripts (plain Node) can start a real ZooKeeper too.
export default defineConfig(library({ format: ['esm'] }));
