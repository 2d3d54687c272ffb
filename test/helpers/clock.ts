/**
 * ManualClock is a clock that moves only when the test says so: given to the
 * app (createApp's `now`) or a component harness, it lets a test cross an
 * expiry or a presence window exactly, without sleeping.
 */
export class ManualClock {
  private ms: number;

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.ms = start;
  }

  /** now reads the clock; pass it where a `now: () => number` is asked for. */
  readonly now = (): number => this.ms;

  advance(ms: number): void {
    this.ms += ms;
  }
}
