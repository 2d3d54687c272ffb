/**
 * What start-up needs to know of REDIS_URL without loading a Redis client:
 * a server kept in memory loads nothing of Redis (src/app/stores.ts).
 */

/** RedisStartError says why the server cannot start on REDIS_URL. */
export class RedisStartError extends Error {
  constructor(url: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`Redis at ${redacted(url)} cannot be reached (${why}): start Redis there, correct REDIS_URL, or unset REDIS_URL to keep everything in this process's memory`);
    this.name = 'RedisStartError';
  }
}

/** redacted hides the password of a Redis URL, for messages and logs. */
export function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unreadable URL)';
  }
}
