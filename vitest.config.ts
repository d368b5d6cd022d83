import { defineConfig } from 'vitest/config';

// Integration tests share one private dockerd (started by the global setup) and a 2-core machine:
// files run one at a time, so timings and engine load stay predictable.
export default defineConfig({
  esbuild: { jsx: 'automatic' },
  test: {
    include: ['shared/**/*.test.ts', 'electron/**/*.test.ts', 'renderer/**/*.test.{ts,tsx}'],
    globalSetup: ['test/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
