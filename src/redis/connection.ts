import { Redis, ReplyError, type RedisOptions } from 'ioredis';
import { RedisStartError } from './redis-url.ts';
import { ProtocolError } from '../protocol/errors.ts';

/** Seconds a client should wait before retrying a request the store could not serve: about one reconnection's time. */
export const STORE_RETRY_AFTER = '5';

// Reconnection tries every 100 ms more, up to every 2 s, for ever: a node
// recovers by itself whenever Redis is back.
const RECONNECT_STEP_MS = 100;
const RECONNECT_MAX_MS = 2_000;

/**
 * The options of every connection: a command the connection cannot carry
 * now fails at once (no queue that would hold requests for as long as Redis
 * is away), and one that was under way when the connection broke is not
 * sent again (a post is retried by its client, with its nonce, instead).
 */
const OPTIONS: RedisOptions = {
  lazyConnect: true,
  enableOfflineQueue: false,
  autoResendUnfulfilledCommands: false,
  maxRetriesPerRequest: 0,
  // RedisEvents subscribes again itself after a reconnection, and hears whether that failed. ioredis's
  // own resubscription would leave its failure (the connection closed again meanwhile) an unhandled
  // rejection, which ends a Node process.
  autoResubscribe: false,
  connectTimeout: 2_000,
  commandTimeout: 3_000,
  // Commands issued in one turn of the event loop go out in one write: a wave of polls costs one system call.
  enableAutoPipelining: true,
  retryStrategy: (attempts) => Math.min(attempts * RECONNECT_STEP_MS, RECONNECT_MAX_MS),
};

/**
 * connectRedis opens a connection and waits until Redis answers (after
 * loading its data, if it has just started); it throws RedisStartError when
 * it cannot, rather than retrying for ever at start.
 */
export async function connectRedis(url: string, name: string): Promise<Redis> {
  const client = new Redis(url, { ...OPTIONS, connectionName: name });
  // Without a listener, an 'error' event would end the process; failures reach callers as rejected commands.
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    throw new RedisStartError(url, error);
  }
  return client;
}

/**
 * unavailable tells an error that means "Redis cannot be reached now" (the
 * connection is down or slow, or Redis is loading, read-only or busy),
 * answered 503 STORE_UNAVAILABLE, from a bug such as a script error, which
 * is not.
 */
export function unavailable(error: unknown): boolean {
  if (error instanceof ReplyError) return /^(LOADING|READONLY|MASTERDOWN|BUSY|TRYAGAIN|CLUSTERDOWN)\b/.test((error as Error).message);
  return error instanceof Error;
}

/** storeCall turns a failure to reach Redis into 503 STORE_UNAVAILABLE; other errors pass unchanged. */
export function storeCall<T>(call: Promise<T>): Promise<T> {
  return call.catch((error: unknown) => {
    if (!unavailable(error)) throw error;
    throw new ProtocolError('STORE_UNAVAILABLE', undefined, { 'retry-after': STORE_RETRY_AFTER });
  });
}
