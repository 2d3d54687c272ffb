import { ApiError, requestJson } from './api.js';

const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * createClient calls the chat API with the session's bearer token. A
 * request refused with 401 NO_SESSION (the server restarted or the session
 * expired) is sent once more under a freshly opened session, so callers
 * never see that refusal. `needsSession: false` requests (polls, listings)
 * go at once with whatever token there is, even none: public rooms answer
 * them without a session.
 */
export function createClient({ endpoint, session }) {
  return {
    async call(path, { query, needsSession = true, timeoutMs = DEFAULT_TIMEOUT_MS, ...options } = {}) {
      const url = `${endpoint}${path}${query === undefined ? '' : `?${query}`}`;
      const token = needsSession ? await session.ready() : session.token;
      try {
        return await requestJson(url, { ...options, timeoutMs, token });
      } catch (error) {
        if (!(error instanceof ApiError) || error.code !== 'NO_SESSION' || options.signal?.aborted) throw error;
        const fresh = await session.renew(token);
        return requestJson(url, { ...options, timeoutMs, token: fresh });
      }
    },
  };
}
