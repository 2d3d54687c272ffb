/**
 * SlidingWindow allows each key `limit` events in any `windowMs`: it keeps
 * the times of a key's last `limit` events, oldest first, and lets a new one
 * in once the oldest has left the window. Keys whose events have all left
 * the window are swept, so quiet clients cost nothing.
 */
export class SlidingWindow {
  private readonly events = new Map<string, number[]>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** take records an event for `key` and returns 0, or the milliseconds until one would be allowed. */
  take(key: string): number {
    const now = this.now();
    let times = this.events.get(key);
    if (times === undefined) {
      times = [];
      this.events.set(key, times);
      this.sweeper ??= setInterval(() => this.sweep(), this.windowMs).unref();
    }
    while (times.length > 0 && (times[0] as number) <= now - this.windowMs) times.shift();
    if (times.length >= this.limit) return (times[0] as number) + this.windowMs - now;
    times.push(now);
    return 0;
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
