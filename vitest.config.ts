import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    // Real sockets, real nginx and real Chromium: give slow machines room.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
