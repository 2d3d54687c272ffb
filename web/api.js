/**
 * ApiError is every way a call to the chat API can fail: `status` 0 with
 * `network` set when no HTTP answer came back, else the HTTP status with the
 * protocol's error `code` (or HTTP_<status> when the body was not the
 * protocol's error, e.g. a proxy's own page).
 */
export class ApiError extends Error {
  constructor({ status, code, message, retryAfterMs = null, network = false }) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.retryAfterMs = retryAfterMs;
    this.network = network;
  }

  /** retryable: the same request may succeed later unchanged. */
  get retryable() {
    return this.network || this.status >= 500;
  }
}

/**
 * requestJson performs one HTTP call and returns the parsed JSON body of a
 * 2xx answer (null for 204 No Content); anything else throws an ApiError,
 * except an abort through `signal`, which rethrows the AbortError for the
 * caller to ignore. `token`, when given, is sent as the session's bearer token.
 */
export async function requestJson(url, { method = 'GET', body, signal, timeoutMs, token = null }) {
  // One controller for both the caller's abort and the time limit, built by
  // hand because AbortSignal.any is too new for some browsers still in use.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const forward = () => controller.abort();
  signal?.addEventListener('abort', forward, { once: true });
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let response;
  let raw;
  try {
    response = await fetch(url, {
      method,
      cache: 'no-store',
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: controller.signal,
    });
    raw = await response.text();
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError({
      status: 0,
      code: timedOut ? 'TIMEOUT' : 'NETWORK',
      message: timedOut ? 'The server took too long to answer.' : 'The server could not be reached.',
      network: true,
    });
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', forward);
  }
  if (response.status === 204) return null;
  const payload = parseJson(raw);
  if (response.ok && payload !== undefined) return payload;
  const error = payload?.error;
  throw new ApiError({
    status: response.status,
    code: typeof error?.code === 'string' ? error.code : response.ok ? 'BAD_RESPONSE' : `HTTP_${response.status}`,
    message: typeof error?.message === 'string' ? error.message : `HTTP ${response.status}`,
    retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
  });
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3).
function parseRetryAfter(value) {
  if (value === null) return null;
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}
