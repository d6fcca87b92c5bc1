import { defineConfig } from 'vitest/config';

// The first render loads and compiles Vega (about a second alone, several on a loaded 2-core machine).
export default defineConfig({ test: { include: ['src/**/*.test.ts'], globalSetup: ['@orchestra/test-utils/temporary-root'], testTimeout: 30_000 } });
