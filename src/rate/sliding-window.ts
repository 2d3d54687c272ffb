import type { RateWindow } from './rate-window.ts';

/**
 * SlidingWindow allows each key `limit` events in any `windowMs`: it keeps
 * the times of a key's last `limit` events, oldest first, and lets a new one
 * in once the oldest has left the window. Keys whose events have all left
 * the window are swept, so quiet clients cost nothing.
 */
export class SlidingWindow implements RateWindow {
  private readonly events = new Map<string, number[]>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    public limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** take records an event for `key` and returns 0, or the milliseconds until one would be allowed. */
  take(key: string): number {
    const waitMs = this.wait(key);
    if (waitMs === 0) this.record(key);
    return waitMs;
  }

  /** wait returns 0 if an event for `key` would be allowed now, or the milliseconds until one would be; it records nothing. */
  wait(key: string): number {
    const times = this.events.get(key);
    if (times === undefined) return 0;
    const now = this.now();
    while (times.length > 0 && (times[0] as number) <= now - this.windowMs) times.shift();
    // With a limit lowered since, more than `limit` events may be kept: the `limit`-th newest decides.
    return times.length >= this.limit ? (times[times.length - this.limit] as number) + this.windowMs - now : 0;
  }

  /** record counts an event for `key` now, whether or not it was allowed (a failed log-in, say). */
  record(key: string): void {
    let times = this.events.get(key);
    if (times === undefined) {
      times = [];
      this.events.set(key, times);
      this.sweeper ??= setInterval(() => this.sweep(), this.windowMs).unref();
    }
    times.push(this.now());
    // Only the newest `limit` decide: older ones cannot make the wait longer.
    while (times.length > this.limit) times.shift();
  }

  /** How many keys are remembered. */
  get size(): number {
    return this.events.size;
  }

  sweep(): void {
    const cutoff = this.now() - this.windowMs;
    for (const [key, times] of this.events) {
      if ((times.at(-1) ?? 0) <= cutoff) this.events.delete(key);
    }
    if (this.events.size === 0) this.clear();
  }

  clear(): void {
    this.events.clear();
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}
