import { nanoid } from 'nanoid';
import { afterAll, afterEach, beforeAll, describe } from 'vitest';
import { readSettings } from '../../src/app/settings.ts';
import { memoryStores, openStores, type Stores } from '../../src/app/stores.ts';
import { describeRequiring, missingBinaries } from '../e2e/system.ts';
import { REDIS_BINARY, startRedis, type RedisServer } from './redis-server.ts';

/**
 * Backend is one kind of store a contract suite runs over: memory, or a
 * real Redis the suite starts. Each `stores()` call opens stores over a key
 * space of their own, closed after the test.
 */
export interface Backend {
  readonly name: 'memory' | 'redis';
  /** The environment that selects it (REDIS_URL and a prefix of the test's own), for a server started on it. */
  env(): Record<string, string>;
  stores(now?: () => number): Promise<Stores>;
}

/** RedisBackend reaches its redis-server, and opens several nodes' stores on one key space. */
export interface RedisBackend extends Backend {
  server(): RedisServer;
  /** Opens stores on the key space of `env` (from env()): what another node sharing it would have. */
  storesOn(env: Record<string, string>, now?: () => number): Promise<Stores>;
}

const memory: Backend = {
  name: 'memory',
  env: () => ({}),
  stores: async (now = Date.now) => memoryStores(readSettings({}), now),
};

/** redisBackend starts a redis-server before the suite and stops it after; it is reached through `server()`. */
function redisBackend(): RedisBackend {
  let server: RedisServer | undefined;
  const opened: Stores[] = [];
  beforeAll(async () => {
    server = await startRedis();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((stores) => stores.close()));
  });
  afterAll(async () => {
    await server?.remove();
  });
  const running = (): RedisServer => {
    if (server === undefined) throw new Error('redis-server has not started');
    return server;
  };
  const env = (): Record<string, string> => ({ REDIS_URL: running().url, REDIS_PREFIX: `t-${nanoid(8)}:` });
  async function storesOn(on: Record<string, string>, now = Date.now): Promise<Stores> {
    const stores = await openStores(readSettings(on), now);
    opened.push(stores);
    return stores;
  }
  return { name: 'redis', env, server: running, storesOn, stores: (now) => storesOn(env(), now) };
}

/** REDIS_MISSING says why the Redis suites cannot run here, or is undefined when they can. */
export const REDIS_MISSING = missingBinaries([REDIS_BINARY]).length === 0 ? undefined : `${REDIS_BINARY} not found — run scripts/install-system-deps.sh`;

/**
 * describeBackends runs one suite over each back-end (describe.each), so
 * that memory and Redis cannot drift apart. Without redis-server the Redis
 * run is skipped with a warning, or fails under REQUIRE_E2E=1.
 */
export function describeBackends(name: string, body: (backend: Backend) => void): void {
  describe.each(['memory', 'redis'] as const)(`${name} (%s)`, (kind) => {
    if (kind === 'memory') body(memory);
    else describeRequiring(`${name} over Redis`, REDIS_MISSING, () => body(redisBackend()));
  });
}

/** describeRedis is a suite that needs a real Redis: it gets one, started before it and stopped after. */
export function describeRedis(name: string, body: (redis: RedisBackend) => void): void {
  describeRequiring(name, REDIS_MISSING, () => body(redisBackend()));
}
