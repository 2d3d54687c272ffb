import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../helpers/clock.ts';
import { as, bearer, sessionGraphFile, signIn } from '../helpers/sessions.ts';
import { call, postJson, startServer, type TestServer } from '../helpers/server.ts';

// PROTOCOL.md: a session expires after 10 minutes without a request carrying its token.
const DEFAULT_IDLE_MS = 10 * 60_000;

// graph.json's own expiry, on a clock the tests move.
const clock = new ManualClock();
let server: TestServer;
beforeAll(async () => {
  server = await startServer({ GRAPH: sessionGraphFile() }, { now: clock.now });
});
afterAll(() => server.close());

const token = (answer: { body: unknown }) => (answer.body as { token: string }).token;

describe('POST B/session', () => {
  it('opens a session: 201 with a token of at least 21 URL-safe characters', async () => {
    const answer = await postJson(`${server.base}/session`, { nick: 'alice.s1' });
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({ token: expect.stringMatching(/^[A-Za-z0-9_-]{21,}$/), nick: 'alice.s1', user: expect.any(String), guest: true });
  });

  it('refuses a nick in use by an active session with 409 NICK_TAKEN', async () => {
    await signIn(server.base, 'taken');
    const again = await postJson(`${server.base}/session`, { nick: 'taken' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('NICK_TAKEN');
  });

  it.each([[''], ['has space'], ['a'.repeat(33)], [42], [null]])('refuses nick %j with 400 BAD_NICK', async (nick) => {
    const answer = await postJson(`${server.base}/session`, { nick });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('BAD_NICK');
  });

  it('accepts a form body too', async () => {
    const answer = await call(`${server.base}/session`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'nick=form_user' });
    expect(answer.status).toBe(201);
  });
});

describe('a session', () => {
  it('is ended by DELETE B/session (204), after which its token is refused and its nick is free', async () => {
    const t = await signIn(server.base, 'leaver');
    const ended = await as(server.base, t).send('DELETE', '/session');
    expect(ended.status).toBe(204);
    expect(ended.body).toBeNull();
    expect((await as(server.base, t).get('/session')).status).toBe(401);
    expect((await postJson(`${server.base}/session`, { nick: 'leaver' })).status).toBe(201);
  });

  it('expires 10 minutes after the last request carrying its token, freeing the nick', async () => {
    const t = await signIn(server.base, 'sleeper');
    const nearly = await signIn(server.base, 'nearly');
    clock.advance(DEFAULT_IDLE_MS - 1);
    expect((await as(server.base, nearly).get('/session')).status).toBe(200);
    clock.advance(1);
    const answer = await as(server.base, t).post('', { text: 'too late' });
    expect(answer.status).toBe(401);
    expect(answer.body.error.code).toBe('NO_SESSION');
    expect((await postJson(`${server.base}/session`, { nick: 'sleeper' })).status).toBe(201);
  });

  it('stays alive while requests carry its token', async () => {
    const t = await signIn(server.base, 'busy');
    for (let i = 0; i < 4; i++) {
      clock.advance(DEFAULT_IDLE_MS - 1);
      expect((await as(server.base, t).get('/session')).status).toBe(200);
    }
  });

  it('shows and edits its own profile with GET and PATCH B/session', async () => {
    const me = as(server.base, await signIn(server.base, 'profiled'));
    const user = expect.stringMatching(/\w/);
    expect((await me.get('/session')).body).toEqual({ nick: 'profiled', user, guest: true, status: '', bio: '', online: false });
    const patched = await me.send('PATCH', '/session', { status: 'at lunch', bio: 'Writes\nchat servers.' });
    expect(patched.status).toBe(200);
    expect(patched.body).toEqual({ nick: 'profiled', user, guest: true, status: 'at lunch', bio: 'Writes\nchat servers.', online: false });
    expect((await call(`${server.base}/users/profiled`)).body).toMatchObject({ status: 'at lunch', bio: 'Writes\nchat servers.' });
  });

  it('clears a status or bio sent as null, keeping the field left out', async () => {
    const me = as(server.base, await signIn(server.base, 'clearer'));
    await me.send('PATCH', '/session', { status: 'away', bio: 'Here.' });
    const cleared = await me.send('PATCH', '/session', { status: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ status: '', bio: 'Here.' });
    expect((await call(`${server.base}/users/clearer`)).body).toMatchObject({ status: '', bio: 'Here.' });
  });

  it.each<[string, unknown]>([
    ['a status over 64 characters', { status: 's'.repeat(65) }],
    ['a bio over 280 characters', { bio: 'b'.repeat(281) }],
    ['an empty status', { status: '' }],
    ['a status that is not text', { status: 5 }],
    ['a status of zero-width characters only', { status: '\u200b\u200b' }],
    ['a bio with a lone surrogate', { bio: 'half \ud83d of an emoji' }],
    ['neither field', {}],
    ['a good status beside a bad bio', { status: 'fine', bio: '' }],
  ])('refuses %s with 400 BAD_FIELD, changing nothing', async (_name, body) => {
    const me = as(server.base, await signIn(server.base, `patch${Math.random().toString(36).slice(2, 8)}`));
    const answer = await me.send('PATCH', '/session', body);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('BAD_FIELD');
    expect((await me.get('/session')).body.status).toBe('');
  });
});

describe('posting with a session', () => {
  it('takes the author from the session when it is left out', async () => {
    const t = await signIn(server.base, 'writer');
    const answer = await as(server.base, t).post('', { text: 'signed', room: 'sess-a' });
    expect(answer.status).toBe(201);
    expect(answer.body.message.author).toBe('writer');
  });

  it('accepts the session\'s own nick as author and refuses another with 403 AUTHOR_MISMATCH', async () => {
    const t = await signIn(server.base, 'honest');
    expect((await as(server.base, t).post('', { author: 'honest', text: 'me', room: 'sess-b' })).status).toBe(201);
    const forged = await as(server.base, t).post('', { author: 'someone', text: 'not me', room: 'sess-b' });
    expect(forged.status).toBe(403);
    expect(forged.body.error.code).toBe('AUTHOR_MISMATCH');
    expect((await call(`${server.base}?room=sess-b&timeout=0`)).body.messages).toHaveLength(1);
  });

  it('refuses a post without a session with 401 NO_SESSION when the graph requires one', async () => {
    const answer = await postJson(server.base, { author: 'anon', text: 'hi', room: 'sess-c' });
    expect(answer.status).toBe(401);
    expect(answer.body.error.code).toBe('NO_SESSION');
    expect((await postJson(server.base, { text: 'hi' }, bearer('not-a-real-token-at-all'))).status).toBe(401);
  });

  it('rate-limits per session, not per address', async () => {
    const limited = await startServer({ GRAPH: sessionGraphFile(), RATE_LIMIT: '2' });
    try {
      const a = as(limited.base, await signIn(limited.base, 'a'));
      const b = as(limited.base, await signIn(limited.base, 'b'));
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await a.post('', { text: `a${i}` })).status);
      statuses.push((await b.post('', { text: 'b0' })).status);
      expect(statuses).toEqual([201, 201, 429, 201]);
    } finally {
      await limited.close();
    }
  });
});
