import { defineConfig } from 'tsup';

/** The `orchestra` executable: one ESM file with a shebang (kept from src/bin.ts); packages stay external. */
export default defineConfig({
  entry: { bin: 'src/bin.ts', index: 'src/index.ts' },
  format: ['esm'],
  dts: false,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  splitting: false,
});
