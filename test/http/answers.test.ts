import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, bearer, signIn } from '../helpers/sessions.ts';
import { setInitial, openPostingGraph, writeGraph } from '../helpers/graph-file.ts';
import { call, heldPolls, openPoll, postJson, startServer, waitFor, type Answer, type TestServer } from '../helpers/server.ts';

/**
 * PROTOCOL.md's common rules, checked on every kind of answer each endpoint
 * gives: the body is JSON and the answer carries cache-control: no-store,
 * whatever the status; a known path with a wrong method is 405 with Allow.
 */
let server: TestServer;
// One post per 10 s, one held poll and one room: every bound is one request away.
let small: TestServer;
beforeAll(async () => {
  server = await startServer({ RATE_LIMIT: '0' });
  small = await startServer({ GRAPH: writeGraph(setInitial(openPostingGraph(), 'Storage', 'maxRooms', 1)), RATE_LIMIT: '1', MAX_HELD_POLLS: '1' });
});
afterAll(async () => {
  await server.close();
  await small.close();
});

const JSON_TYPE = 'application/json; charset=utf-8';

function expectProtocolAnswer(answer: Answer, status: number, code?: string): void {
  expect(answer.status).toBe(status);
  expect(answer.headers.get('cache-control')).toBe('no-store');
  if (status === 204) {
    expect(answer.body).toBeNull();
    return;
  }
  expect(answer.headers.get('content-type')).toBe(JSON_TYPE);
  if (code !== undefined) expect(answer.body.error).toEqual({ code, message: expect.stringMatching(/\w/) });
}

describe('every answer is JSON with cache-control: no-store', () => {
  it('for posts: 201, 200 for a nonce retry, 400, 413, 415', async () => {
    const message = { author: 'a', text: 'hi', room: 'shapes', nonce: 'n1' };
    expectProtocolAnswer(await postJson(server.base, message), 201);
    expectProtocolAnswer(await postJson(server.base, message), 200);
    expectProtocolAnswer(await postJson(server.base, { author: 'a', text: '' }), 400, 'BAD_TEXT');
    expectProtocolAnswer(await postJson(server.base, { author: 'a', text: 'x'.repeat(20_000) }), 413, 'BODY_TOO_LARGE');
    expectProtocolAnswer(await call(server.base, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('for polls: 200 at once, 200 at the timeout, 400', async () => {
    expectProtocolAnswer(await call(`${server.base}?room=shapes&timeout=0`), 200);
    expectProtocolAnswer(await call(`${server.base}?room=quiet&timeout=0.1`), 200);
    expectProtocolAnswer(await call(`${server.base}?since=x`), 400, 'BAD_SINCE');
  });

  it('for the bounds: 429 RATE_LIMITED, 503 ROOM_LIMIT and TOO_MANY_POLLS', async () => {
    expectProtocolAnswer(await postJson(small.base, { author: 'a', text: 'x', room: 'only' }), 201);
    const elsewhere = { 'x-forwarded-for': '203.0.113.9' };
    expectProtocolAnswer(await postJson(small.base, { author: 'a', text: 'x', room: 'second' }, elsewhere), 503, 'ROOM_LIMIT');
    expectProtocolAnswer(await postJson(small.base, { author: 'a', text: 'y', room: 'only' }), 429, 'RATE_LIMITED');
    const held = openPoll(`${small.base}?room=quiet&timeout=60`);
    await waitFor(async () => (await heldPolls(small.base)) === 1);
    expectProtocolAnswer(await call(`${small.base}?room=quiet&timeout=60`), 503, 'TOO_MANY_POLLS');
    held.disconnect();
    await waitFor(async () => (await heldPolls(small.base)) === 0);
  });

  it('for sessions: 201, 200, 204, 400, 401, 409', async () => {
    const opened = await postJson(`${server.base}/session`, { nick: 'shape' });
    expectProtocolAnswer(opened, 201);
    const me = as(server.base, (opened.body as unknown as { token: string }).token);
    expectProtocolAnswer(await me.get('/session'), 200);
    expectProtocolAnswer(await me.send('PATCH', '/session', { status: 'here' }), 200);
    expectProtocolAnswer(await postJson(`${server.base}/session`, { nick: 'shape' }), 409, 'NICK_TAKEN');
    expectProtocolAnswer(await postJson(`${server.base}/session`, { nick: 'bad nick' }), 400, 'BAD_NICK');
    expectProtocolAnswer(await me.send('DELETE', '/session'), 204);
    expectProtocolAnswer(await me.get('/session'), 401, 'NO_SESSION');
  });

  it('for rooms and users: 200, 201, 400, 403, 404', async () => {
    const owner = as(server.base, await signIn(server.base, 'owner'));
    const stranger = as(server.base, await signIn(server.base, 'stranger'));
    expectProtocolAnswer(await owner.post('/rooms', { name: 'den', private: true }), 201);
    expectProtocolAnswer(await owner.get('/rooms'), 200);
    expectProtocolAnswer(await owner.post('/rooms/den/invite', { nick: 'stranger' }), 200);
    expectProtocolAnswer(await stranger.post('/rooms/den/leave', {}), 200);
    expectProtocolAnswer(await stranger.get('?room=den&timeout=0'), 403, 'NOT_A_MEMBER');
    expectProtocolAnswer(await owner.post('/rooms', { name: 'Bad Name', private: true }), 400, 'BAD_ROOM');
    expectProtocolAnswer(await call(`${server.base}/users?room=lobby`), 200);
    expectProtocolAnswer(await call(`${server.base}/users?q=own`), 200);
    expectProtocolAnswer(await call(`${server.base}/users/owner`), 200);
    expectProtocolAnswer(await call(`${server.base}/users/nobody`), 404, 'NOT_FOUND');
  });

  it('for operations and unknown paths: 200, 404', async () => {
    expectProtocolAnswer(await call(`${server.base}/health`), 200);
    expectProtocolAnswer(await call(`${server.base}/graph`), 200);
    expectProtocolAnswer(await call(`${server.base}/nope`), 404, 'NOT_FOUND');
    expectProtocolAnswer(await call(`${server.origin}/elsewhere`), 404, 'NOT_FOUND');
  });
});

/** PROTOCOL.md's paths under B and the methods each takes. */
const ROUTES: readonly [string, readonly string[]][] = [
  ['', ['GET', 'POST']],
  ['/health', ['GET']],
  ['/graph', ['GET']],
  ['/session', ['GET', 'POST', 'PATCH', 'DELETE']],
  ['/rooms', ['GET', 'POST']],
  ['/rooms/lobby/invite', ['POST']],
  ['/rooms/lobby/leave', ['POST']],
  ['/users', ['GET']],
  ['/users/alice', ['GET']],
];
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

describe('405 METHOD_NOT_ALLOWED with Allow', () => {
  it.each(ROUTES)('B%s refuses every other method, listing %j', async (path, allowed) => {
    for (const method of METHODS.filter((m) => !allowed.includes(m))) {
      const answer = await call(`${server.base}${path}`, { method });
      expectProtocolAnswer(answer, 405, 'METHOD_NOT_ALLOWED');
      expect(answer.headers.get('allow')?.split(', ').sort(), `${method} B${path}`).toEqual([...allowed].sort());
    }
  });
});

describe('characters are code points', () => {
  it.each<[string, number]>([
    ['status', 64],
    ['bio', 280],
  ])('%s takes %i emoji and refuses one more', async (field, max) => {
    const me = as(server.base, await signIn(server.base, `cp-${field}`));
    const fits = await me.send('PATCH', '/session', { [field]: '😀'.repeat(max) });
    expect(fits.status).toBe(200);
    expect((fits.body as unknown as Record<string, string>)[field]).toBe('😀'.repeat(max));
    expectProtocolAnswer(await me.send('PATCH', '/session', { [field]: '😀'.repeat(max + 1) }), 400, 'BAD_FIELD');
  });

  it('author takes 64 emoji and refuses 65', async () => {
    const fits = await postJson(server.base, { author: '😀'.repeat(64), text: 'x', room: 'shapes' });
    expect(fits.status).toBe(201);
    expect(fits.body.message.author).toBe('😀'.repeat(64));
    expectProtocolAnswer(await postJson(server.base, { author: '😀'.repeat(65), text: 'x', room: 'shapes' }), 400, 'BAD_AUTHOR');
  });
});

describe('private rooms when the graph lets anyone post', () => {
  it('still need a session: no poll, post or user list without one, and nothing stored', async () => {
    const owner = as(server.base, await signIn(server.base, 'keeper'));
    expect((await owner.post('/rooms', { name: 'vault', private: true })).status).toBe(201);
    expect((await owner.post('', { text: 'inside', room: 'vault' })).status).toBe(201);
    expectProtocolAnswer(await postJson(server.base, { author: 'keeper', text: 'anonymous', room: 'vault' }), 401, 'NO_SESSION');
    expectProtocolAnswer(await call(`${server.base}?room=vault&timeout=0`), 401, 'NO_SESSION');
    expectProtocolAnswer(await call(`${server.base}/users?room=vault`), 401, 'NO_SESSION');
    expectProtocolAnswer(await call(`${server.base}?room=vault&timeout=0`, { headers: bearer('not-a-live-token-xxxxx') }), 401, 'NO_SESSION');
    const kept = await owner.get('?room=vault&timeout=0');
    expect(kept.body.messages.filter((m) => m.type === 'message').map((m) => m.text)).toEqual(['inside']);
  });
});
