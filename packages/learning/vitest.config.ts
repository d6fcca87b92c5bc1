import { defineConfig } from 'vitest/config';

export default defineConfig({ test: { include: ['src/**/*.test.ts'], globalSetup: ['@orchestra/test-utils/temporary-root'], testTimeout: 30_000 } });
