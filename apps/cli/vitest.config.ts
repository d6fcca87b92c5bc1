import { defineConfig } from 'vitest/config';

// The tests spawn the built binary many times; on a loaded machine one test can take a while.
export default defineConfig({ test: { include: ['src/**/*.test.ts'], globalSetup: ['@orchestra/test-utils/temporary-root'], testTimeout: 120_000 } });
