import type { Options } from 'tsup';

/** The one build configuration every library package reuses: ESM + CJS + .d.ts, node 20 target. */
export const libraryBuild: Options = {
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  splitting: false,
  treeshake: true,
};
