/**
 * Meters is what components report for the metrics (`GET B/metrics`),
 * knowing nothing of Prometheus: a count is a call, cheap enough for the
 * hot path.
 */
export interface Meters {
  /** A message was appended through this node. */
  appended(): void;
  /** `count` messages were handed to polls. */
  delivered(count: number): void;
  /** Held polls were released by a message appended `ms` ago: once per message, however many polls it released. */
  released(ms: number): void;
  /** Registers where held polls are counted (a Storage process); returns how to unregister it. */
  holding(count: () => number): () => void;
}

/** NO_METERS counts nothing, for a component run on its own. */
export const NO_METERS: Meters = {
  appended() {},
  delivered() {},
  released() {},
  holding: () => () => undefined,
};
