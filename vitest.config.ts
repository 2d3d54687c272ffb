import { accessSync, constants } from 'node:fs';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

const REDIS_BINARY = '/usr/bin/redis-server';

/**
 * The HTTP suite runs twice: on the in-memory stores, and on a real Redis
 * (every server it starts gets REDIS_URL), so that both back-ends answer
 * every rule of PROTOCOL.md alike. Without redis-server the second run is
 * skipped with a line saying so, or fails under REQUIRE_E2E=1.
 */
function httpOverRedis(): TestProjectInlineConfiguration[] {
  try {
    accessSync(REDIS_BINARY, constants.X_OK);
  } catch {
    const why = `${REDIS_BINARY} not found — run scripts/install-system-deps.sh`;
    if (process.env.REQUIRE_E2E === '1') throw new Error(`the HTTP suite over Redis is required (REQUIRE_E2E=1) but ${why}`);
    console.warn(`skipped: the HTTP suite over Redis: ${why}`);
    return [];
  }
  return [{ extends: true, test: { name: 'http over redis', include: ['test/http/**/*.test.ts'], globalSetup: ['test/redis-global-setup.ts'] } }];
}

export default defineConfig({
  test: {
    setupFiles: ['test/setup.ts'],
    // Real sockets, real nginx and real Chromium: give slow machines room.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [{ extends: true, test: { name: 'memory', include: ['test/**/*.test.ts'] } }, ...httpOverRedis()],
  },
});
