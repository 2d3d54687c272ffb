/**
 * MaybePromise is what a store answers: the in-memory stores answer at once
 * (a value), the Redis stores later (a promise). Callers chain with `after`,
 * so the in-memory path stays synchronous, with no microtask per call, and
 * a component never learns which kind of store it talks to.
 */
export type MaybePromise<T> = T | Promise<T>;

/** after runs `next` on a value now, or once its promise settles. */
export function after<T, R>(value: MaybePromise<T>, next: (value: T) => MaybePromise<R>): MaybePromise<R> {
  return value instanceof Promise ? value.then(next) : next(value);
}
