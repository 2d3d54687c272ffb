import { nanoid } from 'nanoid';
import { inject } from 'vitest';

/**
 * projectStoreEnv puts a server on the store of the test project it runs
 * in: in "http over redis" (vitest.config.ts), REDIS_URL with a key prefix
 * of the server's own; in "memory", nothing.
 */
export function projectStoreEnv(): Record<string, string> {
  const url = inject('redisUrl') as string | undefined;
  return url === undefined ? {} : { REDIS_URL: url, REDIS_PREFIX: `t-${nanoid(8)}:` };
}

/** onRedis tells whether the test runs in the project "http over redis". */
export function onRedis(): boolean {
  return inject('redisUrl') !== undefined;
}
