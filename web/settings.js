/**
 * readSettings takes the page's tuning knobs from its query string.
 * `maxBackoff` (milliseconds) lowers the 30 s retry cap, so tests and demos
 * see recovery within seconds; out-of-range values fall back to the default.
 */
export function readSettings(search) {
  const query = new URLSearchParams(search);
  const maxBackoff = Number(query.get('maxBackoff'));
  return {
    room: 'lobby',
    holdSeconds: 25,
    pageSize: 200,
    backoff: {
      baseMs: 500,
      capMs: Number.isInteger(maxBackoff) && maxBackoff >= 100 && maxBackoff <= 30_000 ? maxBackoff : 30_000,
    },
  };
}
