import { ApiError } from './api.js';
import { retryDelay } from './backoff.js';

// How much longer than the hold time a poll may take before the page calls
// the connection dead: covers proxy and network delays.
const GRACE_MS = 15_000;

/**
 * createPoller keeps one long poll at a time open against the chat API
 * (PROTOCOL.md "Poll") for one room, `fetchAnswer(query, {signal,
 * timeoutMs})` making the request, and reports what it learns:
 * - `onAnswer({room, epoch, messages, reset, truncated, more, seq})` for every
 *   answer, in order; `reset` means the view must be discarded before showing
 *   `messages` (so does the first answer after `setRoom`);
 * - `onLive()` whenever the server answered;
 * - `onRetry({at, error})` when a poll failed and the next try is due at `at`.
 * The first poll, and the first after a failure, asks with timeout=0 so the
 * server answers at once and the page can say "live" without waiting a hold.
 */
export function createPoller({ fetchAnswer, room, holdSeconds, pageSize, backoff, onAnswer, onLive, onRetry }) {
  let epoch = null;
  let since = 0;
  let failures = 0;
  let quick = true;
  let seq = 0;
  let timer = null;
  let controller = null;

  function schedule(delayMs) {
    clearTimeout(timer);
    timer = setTimeout(poll, delayMs);
  }

  async function poll() {
    timer = null;
    const mine = ++seq;
    controller = new AbortController();
    const hold = quick ? 0 : holdSeconds;
    let answer;
    try {
      answer = checked(await fetchAnswer(query(hold), {
        signal: controller.signal,
        timeoutMs: hold * 1000 + GRACE_MS,
      }));
    } catch (error) {
      if (mine !== seq) return;
      failures += 1;
      quick = true;
      if (error instanceof ApiError && error.status >= 400 && error.status < 500) forget();
      const delay = retryDelay(failures - 1, error.retryAfterMs, backoff);
      schedule(delay);
      // After scheduling, so that a listener moving to another room (setRoom) has the last word.
      onRetry({ at: Date.now() + delay, error });
      return;
    }
    if (mine !== seq) return;
    failures = 0;
    quick = false;
    onLive();
    accept(answer, mine);
    schedule(0);
  }

  function query(hold) {
    const params = new URLSearchParams({ since: String(since), room, timeout: String(hold), limit: String(pageSize) });
    if (epoch !== null) params.set('epoch', epoch);
    return params;
  }

  function accept(answer, mine) {
    if (epoch !== null && answer.epoch !== epoch && !answer.reset) {
      // The server's history changed under us without saying so: start over
      // from its oldest message rather than show a mix of two histories.
      epoch = answer.epoch;
      since = 0;
      onAnswer({ room, epoch, messages: [], reset: true, truncated: false, more: true, seq: mine });
      return;
    }
    const fresh = epoch === null;
    epoch = answer.epoch;
    since = answer.next;
    onAnswer({
      room,
      epoch,
      messages: answer.messages,
      reset: answer.reset || fresh,
      truncated: answer.truncated === true,
      more: answer.more === true,
      seq: mine,
    });
  }

  // A 4xx on a poll means the page's own state is unacceptable to the
  // server; starting from scratch is the only way out that needs no reload.
  function forget() {
    epoch = null;
    since = 0;
  }

  function retryNow() {
    seq += 1;
    controller?.abort();
    quick = true;
    schedule(0);
  }

  return {
    start() {
      schedule(0);
    },
    /** retryNow drops any wait or pending request and polls at once. */
    retryNow,
    /** setRoom polls `name` from now on, from its beginning. */
    setRoom(name) {
      room = name;
      failures = 0;
      forget();
      retryNow();
    },
    get room() {
      return room;
    },
    /** seq counts the polls sent so far; an answer carries the seq of its request. */
    get seq() {
      return seq;
    },
  };
}

function checked(answer) {
  const valid = typeof answer === 'object' && answer !== null
    && typeof answer.epoch === 'string'
    && Array.isArray(answer.messages)
    && Number.isSafeInteger(answer.next);
  if (valid) return answer;
  throw new ApiError({ status: 200, code: 'BAD_RESPONSE', message: 'The poll answer lacks epoch, messages or next.' });
}
