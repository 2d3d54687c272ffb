import type { DelayFigures } from './types.ts';

/**
 * Samples keeps every delay measured, in a growing Float64Array, so the
 * percentiles are exact: a few million samples cost tens of MB and one sort,
 * which is cheaper to trust than a histogram's bucket rounding.
 */
export class Samples {
  private values = new Float64Array(1024);
  private length = 0;

  get count(): number {
    return this.length;
  }

  add(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }

  /** figures sorts the samples (milliseconds) and reads the percentiles by nearest rank. */
  figures(): DelayFigures {
    const sorted = this.values.subarray(0, this.length).sort();
    const rank = (p: number): number => (this.length === 0 ? NaN : (sorted[Math.min(this.length - 1, Math.ceil(p * this.length) - 1)] as number));
    return {
      count: this.length,
      p50Ms: rank(0.5),
      p90Ms: rank(0.9),
      p99Ms: rank(0.99),
      maxMs: this.length === 0 ? NaN : (sorted[this.length - 1] as number),
    };
  }
}

/** median of a few numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** medianBy picks the item whose value is the median (the lower middle one of an even count): a whole run, not a mix of figures from several. */
export function medianBy<T>(items: readonly T[], value: (item: T) => number): T {
  const sorted = [...items].sort((a, b) => value(a) - value(b));
  return sorted[Math.floor((sorted.length - 1) / 2)] as T;
}
