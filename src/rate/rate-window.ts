import type { MaybePromise } from '../util/maybe-promise.ts';

/**
 * RateWindow allows each key `limit` events in any window of time (posts
 * per user per 10 s, failed log-ins per login per 15 minutes). In memory it
 * counts for one process; in Redis for every node, so that a limit holds
 * whichever node a client reaches.
 */
export interface RateWindow {
  /** Events allowed per key in the window; a new limit applies from the next event, to the events already counted. */
  limit: number;
  /** take records an event for `key` and gives 0, or the milliseconds until one would be allowed (recording nothing). */
  take(key: string): MaybePromise<number>;
  /** wait gives 0 if an event for `key` would be allowed now, or the milliseconds until one would be; it records nothing. */
  wait(key: string): MaybePromise<number>;
  /** record counts an event for `key` now, whether or not it was allowed (a failed log-in, say). */
  record(key: string): MaybePromise<void>;
  /** clear forgets what this process remembers (its timers too), when the network stops. */
  clear(): void;
}
