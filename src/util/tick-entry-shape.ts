import { executionAsyncResource } from 'node:async_hooks';

/*
 * Node queues each `process.nextTick` as an object literal whose first keys
 * are two symbols (its async ids). V8 builds such a literal's hidden class
 * by transitions from a class it caches weakly, and the site that builds it
 * stays fast (about 25 ns a tick) only while it meets the one hidden class
 * it first saw. A full collection that runs when no tick is queued frees
 * that class; the next tick builds a new one, the site sees a second class
 * and falls back to V8's runtime for good: some 200 ns a tick, for the life
 * of the process. node:http queues about eight ticks per request, so it cost
 * flowchat 5–8 % of its CPU in the throughput scenario (bench/README.md,
 * *Profile*) in every run where a collection fell at such a moment. Holding
 * one entry for good keeps its class, and the classes it came from, alive.
 */

let kept: Promise<object> | undefined;

/**
 * keepTickEntryShape holds one of Node's nextTick entries for the life of
 * the process, so that every later tick is built with the same hidden class;
 * called once at start-up, before the server takes requests. It resolves to
 * the entry it holds.
 */
export function keepTickEntryShape(): Promise<object> {
  // Inside a tick's callback, the tick's own entry is the current async resource.
  kept ??= new Promise((resolve) => process.nextTick(() => resolve(executionAsyncResource())));
  return kept;
}
