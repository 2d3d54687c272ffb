/**
 * monotonicUs reads CLOCK_MONOTONIC in microseconds. V8 stamps CPU-profile
 * samples with the same clock, so a window read here in the load generator
 * selects the samples of the server that fall inside it.
 */
export function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}
