/**
 * backoffDelay returns how long to wait before retry number `attempt`
 * (0-based): exponential growth from `baseMs`, capped at `capMs`, with
 * "equal jitter" (half fixed, half random) so that many pages cut off by the
 * same restart do not all come back in the same millisecond, yet none
 * retries sooner than half the nominal delay.
 */
export function backoffDelay(attempt, { baseMs = 500, capMs = 30_000, random = Math.random } = {}) {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * retryDelay is the backoff delay, stretched to a server's Retry-After when
 * it asks for longer, and never beyond the cap.
 */
export function retryDelay(attempt, retryAfterMs, options = {}) {
  const capMs = options.capMs ?? 30_000;
  return Math.min(capMs, Math.max(backoffDelay(attempt, options), retryAfterMs ?? 0));
}
