import { defaultGraph, setInitial, writeGraph } from './graph-file.ts';
import { call, postJson, type Answer } from './server.ts';

/**
 * sessionGraphFile writes graph.json with posting needing a session, as
 * shipped, whatever the shipped file says: for the tests of sessions. Rules
 * about time are tested on its own expiry and presence window, on a clock
 * the test moves (ManualClock).
 */
export function sessionGraphFile(): string {
  return writeGraph(setInitial(defaultGraph(), 'SendController', 'sessionRequired', true));
}

/** bearer makes the Authorization header for a token (none for undefined). */
export function bearer(token: string | undefined): Record<string, string> {
  return token === undefined ? {} : { authorization: `Bearer ${token}` };
}

/** signIn opens a session and returns its token. */
export async function signIn(base: string, nick: string): Promise<string> {
  const answer = await postJson(`${base}/session`, { nick });
  if (answer.status !== 201) throw new Error(`POST /session for ${nick}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return (answer.body as unknown as { token: string }).token;
}

/** as makes requests with a token: get(path) and post(path, body), path relative to B. */
export function as(base: string, token: string | undefined) {
  return {
    get: (path: string): Promise<Answer> => call(`${base}${path}`, { headers: bearer(token) }),
    post: (path: string, body: unknown): Promise<Answer> => postJson(`${base}${path}`, body, bearer(token)),
    send: (method: string, path: string, body?: unknown): Promise<Answer> =>
      call(`${base}${path}`, {
        method,
        headers: { ...bearer(token), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
  };
}
