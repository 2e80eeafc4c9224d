import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/ts/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // Generates typechain/ (gitignored) from the forge artifacts, building them first if needed.
    globalSetup: ['test/ts/global-setup.ts'],
  },
});
