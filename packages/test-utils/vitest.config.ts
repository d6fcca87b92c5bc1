import { defineConfig } from 'vitest/config';

export default defineConfig({ test: { include: ['src/**/*.test.ts'], globalSetup: ['./src/temporary-root.ts'] } });
