import { defineConfig } from 'tsup';

// Built so the benchmark scripts (plain Node) can start a real ZooKeeper too.
export default defineConfig({ entry: ['src/index.ts'], format: ['esm'], dts: true, sourcemap: true, clean: true, target: 'node20' });
