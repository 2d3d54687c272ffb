import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../helpers/clock.ts';
import { defaultGraph, setInitial, writeGraph } from '../helpers/graph-file.ts';
import { as, sessionGraphFile, signIn } from '../helpers/sessions.ts';
import { call, postJson, startServer, type Answer, type TestServer } from '../helpers/server.ts';

/** PROTOCOL.md v1.1, "Accounts and identity": accounts, log-ins, and users (not nicks) owning private rooms. */
const clock = new ManualClock();
let server: TestServer;
beforeAll(async () => {
  server = await startServer({ GRAPH: sessionGraphFile() }, { now: clock.now });
});
afterAll(() => server.close());

const PASSWORD = 'correct horse';
let logins = 0;
/** A login no test has used. */
const fresh = (prefix: string) => `${prefix}${++logins}`;

const createAccount = (base: string, login: string, password = PASSWORD, headers: Record<string, string> = {}) => postJson(`${base}/accounts`, { login, password }, headers);
const logIn = (base: string, login: string, password = PASSWORD, headers: Record<string, string> = {}) => postJson(`${base}/session`, { login, password }, headers);
const tokenOf = (answer: Answer): string => (answer.body as unknown as { token: string }).token;
const userOf = (answer: Answer): string => (answer.body as unknown as { user: string }).user;

describe('POST B/accounts', () => {
  it('creates an account and its first session: 201 with token, nick, user and guest: false', async () => {
    const login = fresh('ann');
    const created = await createAccount(server.base, login);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ token: expect.stringMatching(/^[A-Za-z0-9_-]{21,}$/), nick: login, user: expect.stringMatching(/\w/), guest: false });
    const me = await as(server.base, tokenOf(created)).get('/session');
    expect(me.body).toMatchObject({ nick: login, user: userOf(created), guest: false });
  });

  it.each<[string, number]>([
    ['7 characters', 7],
    ['129 characters', 129],
  ])('refuses a password of %s with 400 BAD_PASSWORD, creating nothing', async (_name, length) => {
    const login = fresh('pw');
    const refused = await createAccount(server.base, login, 'p'.repeat(length));
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('BAD_PASSWORD');
    expect((await call(`${server.base}/users/${login}`)).status).toBe(404);
  });

  it.each<[string, string]>([
    ['8 characters', 'p'.repeat(8)],
    ['128 emoji (characters are code points)', '😀'.repeat(128)],
  ])('takes a password of %s', async (_name, password) => {
    const login = fresh('ok');
    expect((await createAccount(server.base, login, password)).status).toBe(201);
    expect((await logIn(server.base, login, password)).status).toBe(201);
  });

  it('refuses a bad login with 400 BAD_NICK', async () => {
    expect((await createAccount(server.base, 'has space')).body.error.code).toBe('BAD_NICK');
  });

  it('refuses with 409 NICK_TAKEN a login held by an account or a signed-in guest, and a guest nick that is an account\'s', async () => {
    const owner = fresh('own');
    expect((await createAccount(server.base, owner)).status).toBe(201);
    expect((await createAccount(server.base, owner, 'another password')).body.error.code).toBe('NICK_TAKEN');
    expect((await postJson(`${server.base}/session`, { nick: owner })).body.error.code).toBe('NICK_TAKEN');
    const guest = fresh('guest');
    await signIn(server.base, guest);
    expect((await createAccount(server.base, guest)).body.error.code).toBe('NICK_TAKEN');
  });
});

describe('logging in: POST B/session {login, password}', () => {
  it('opens another session of the same user', async () => {
    const login = fresh('bea');
    const created = await createAccount(server.base, login);
    const again = await logIn(server.base, login);
    expect(again.status).toBe(201);
    expect(again.body).toEqual({ token: expect.any(String), nick: login, user: userOf(created), guest: false });
    expect(tokenOf(again)).not.toBe(tokenOf(created));
  });

  it('answers a wrong password and an unknown login alike: 401 BAD_CREDENTIALS', async () => {
    const login = fresh('cid');
    await createAccount(server.base, login);
    const wrongPassword = await logIn(server.base, login, 'not the password');
    const unknownLogin = await logIn(server.base, fresh('nobody'));
    for (const answer of [wrongPassword, unknownLogin]) expect(answer.status).toBe(401);
    expect(wrongPassword.body).toEqual(unknownLogin.body);
    expect(wrongPassword.body.error.code).toBe('BAD_CREDENTIALS');
  });

  it('refuses a login after 10 failures for it within 15 minutes, with Retry-After, until they are 15 minutes old', async () => {
    const login = fresh('dot');
    await createAccount(server.base, login);
    // From addresses of their own, so the limit per address plays no part.
    const from = (i: number) => ({ 'x-forwarded-for': `198.51.100.${i}` });
    for (let i = 0; i < 9; i++) expect((await logIn(server.base, login, 'wrong password', from(i))).status).toBe(401);
    expect((await logIn(server.base, login, PASSWORD, from(9))).status).toBe(201);
    expect((await logIn(server.base, login, 'wrong password', from(10))).status).toBe(401);
    clock.advance(60_000);
    const locked = await logIn(server.base, login, PASSWORD, from(11));
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('RATE_LIMITED');
    expect(locked.headers.get('retry-after')).toBe(String(14 * 60));
    clock.advance(14 * 60_000 - 1);
    expect((await logIn(server.base, login, PASSWORD, from(12))).status).toBe(429);
    clock.advance(1);
    expect((await logIn(server.base, login, PASSWORD, from(13))).status).toBe(201);
  });

  it('refuses log-ins from an address after 30 failures from it, whatever the login, and not from others', async () => {
    const login = fresh('eve');
    await createAccount(server.base, login);
    const address = { 'x-forwarded-for': '203.0.113.77' };
    for (let i = 0; i < 30; i++) expect((await logIn(server.base, fresh('ghost'), 'wrong password', address)).status).toBe(401);
    expect((await logIn(server.base, login, PASSWORD, address)).status).toBe(429);
    expect((await logIn(server.base, login, PASSWORD, { 'x-forwarded-for': '203.0.113.78' })).status).toBe(201);
  });
});

describe('an account\'s session', () => {
  it('lasts 30 days unused, not 10 minutes', async () => {
    const token = tokenOf(await createAccount(server.base, fresh('fay')));
    clock.advance(10 * 60_000);
    expect((await as(server.base, token).get('/session')).status).toBe(200);
    clock.advance(30 * 24 * 3_600_000 - 1);
    expect((await as(server.base, token).get('/session')).status).toBe(200);
    clock.advance(30 * 24 * 3_600_000);
    expect((await as(server.base, token).get('/session')).status).toBe(401);
  });

  it('changes its password with PATCH B/session, ending the account\'s other sessions', async () => {
    const login = fresh('gil');
    const first = tokenOf(await createAccount(server.base, login));
    const second = tokenOf(await logIn(server.base, login));
    const wrong = await as(server.base, first).send('PATCH', '/session', { password: { old: 'not the password', new: 'a new password' } });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('BAD_CREDENTIALS');
    expect((await as(server.base, second).get('/session')).status).toBe(200);
    const short = await as(server.base, first).send('PATCH', '/session', { password: { old: PASSWORD, new: 'short' } });
    expect(short.body.error.code).toBe('BAD_PASSWORD');
    const changed = await as(server.base, first).send('PATCH', '/session', { password: { old: PASSWORD, new: 'a new password' } });
    expect(changed.status).toBe(200);
    expect((await as(server.base, first).get('/session')).status).toBe(200);
    expect((await as(server.base, second).get('/session')).status).toBe(401);
    expect((await logIn(server.base, login)).status).toBe(401);
    expect((await logIn(server.base, login, 'a new password')).status).toBe(201);
  });

  it('is found by its nick even while signed out', async () => {
    const login = fresh('hal');
    const token = tokenOf(await createAccount(server.base, login));
    await as(server.base, token).send('DELETE', '/session');
    expect((await call(`${server.base}/users/${login}`)).body).toMatchObject({ nick: login, online: false });
  });
});

describe('a guest', () => {
  it('has no password to change', async () => {
    const guest = as(server.base, await signIn(server.base, fresh('ivy')));
    expect((await guest.send('PATCH', '/session', { password: { old: 'whatever1', new: 'whatever2' } })).body.error.code).toBe('BAD_FIELD');
  });

  it('sends its token with the scheme in any case ("bearer")', async () => {
    const token = await signIn(server.base, fresh('jo'));
    expect((await call(`${server.base}/session`, { headers: { authorization: `bearer ${token}` } })).status).toBe(200);
    expect((await call(`${server.base}/session`, { headers: { authorization: `BEARER ${token}` } })).status).toBe(200);
  });
});

describe('users, not nicks, own private rooms', () => {
  it('a freed nick inherits nothing: a later guest of that nick is another user, outside the first one\'s rooms', async () => {
    const nick = fresh('kim');
    const account = tokenOf(await createAccount(server.base, fresh('lee')));
    const first = as(server.base, await signIn(server.base, nick));
    const firstUser = (await first.get('/session')).body as unknown as { user: string };
    const made = await first.post('/rooms', { name: fresh('den'), private: true, members: [(await as(server.base, account).get('/session')).body.nick] });
    const room = (made.body as unknown as { room: { name: string } }).room.name;
    expect((await first.post('', { text: 'for us two', room })).status).toBe(201);
    expect((await first.send('DELETE', '/session')).status).toBe(204);
    const later = as(server.base, await signIn(server.base, nick));
    expect(((await later.get('/session')).body as unknown as { user: string }).user).not.toBe(firstUser.user);
    const refused = await later.get(`?room=${room}&timeout=0`);
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.body)).not.toContain('for us two');
    // The account is still a member, and now the only one.
    const kept = await as(server.base, account).get('/rooms');
    expect((kept.body as unknown as { rooms: { name: string; members?: string[] }[] }).rooms.find((r) => r.name === room)?.members).toHaveLength(1);
  });

  it('an invitation names a current user: a nick nobody holds is 404, and whoever claims it later is not a member', async () => {
    const owner = as(server.base, await signIn(server.base, fresh('max')));
    const room = fresh('club');
    await owner.post('/rooms', { name: room, private: true });
    const nobody = fresh('ned');
    const invited = await owner.post(`/rooms/${room}/invite`, { nick: nobody });
    expect(invited.status).toBe(404);
    expect(invited.body.error.code).toBe('NOT_FOUND');
    const made = await owner.post('/rooms', { private: true, members: [nobody] });
    expect(made.status).toBe(404);
    const claimer = as(server.base, await signIn(server.base, nobody));
    expect((await claimer.get(`?room=${room}&timeout=0`)).status).toBe(403);
  });

  it('a private room whose last member leaves is deleted with its history, and its name is free again', async () => {
    const owner = as(server.base, await signIn(server.base, fresh('ola')));
    const room = fresh('brief');
    await owner.post('/rooms', { name: room, private: true });
    await owner.post('', { text: 'gone with the room', room });
    expect((await owner.post(`/rooms/${room}/leave`, {})).status).toBe(200);
    const stranger = as(server.base, await signIn(server.base, fresh('pia')));
    const again = await stranger.post('/rooms', { name: room, private: true });
    expect(again.status).toBe(201);
    const read = await stranger.get(`?room=${room}&timeout=0`);
    expect(read.body.messages.filter((m) => m.type === 'message')).toEqual([]);
  });

  it('a guest\'s private rooms end with its session', async () => {
    const guest = as(server.base, await signIn(server.base, fresh('quin')));
    const room = fresh('nook');
    await guest.post('/rooms', { name: room, private: true });
    await guest.post('', { text: 'only while I am here', room });
    await guest.send('DELETE', '/session');
    const anyone = as(server.base, await signIn(server.base, fresh('rex')));
    const read = await anyone.get(`?room=${room}&timeout=0`);
    expect(read.status).toBe(200);
    expect(read.body.messages.filter((m) => m.type === 'message')).toEqual([]);
  });
});

describe('limits on opening sessions', () => {
  it('counts every POST B/session and B/accounts from one address, refused ones too: SESSION_RATE_LIMIT a minute', async () => {
    const limitClock = new ManualClock();
    const limited = await startServer({ GRAPH: sessionGraphFile(), SESSION_RATE_LIMIT: '3' }, { now: limitClock.now });
    try {
      const here = { 'x-forwarded-for': '192.0.2.10' };
      expect((await postJson(`${limited.base}/session`, { nick: 'bad nick' }, here)).status).toBe(400);
      expect((await postJson(`${limited.base}/session`, { nick: 'sue' }, here)).status).toBe(201);
      expect((await createAccount(limited.base, 'tom', PASSWORD, here)).status).toBe(201);
      const refused = await postJson(`${limited.base}/session`, { nick: 'uma' }, here);
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe('RATE_LIMITED');
      expect(refused.headers.get('retry-after')).toBe('60');
      expect((await call(`${limited.base}/users/uma`)).status).toBe(404);
      expect((await postJson(`${limited.base}/session`, { nick: 'uma' }, { 'x-forwarded-for': '192.0.2.11' })).status).toBe(201);
      limitClock.advance(60_000);
      expect((await postJson(`${limited.base}/session`, { nick: 'val' }, here)).status).toBe(201);
    } finally {
      await limited.close();
    }
  });

  it('allows 10 a minute by default', async () => {
    const limited = await startServer({ GRAPH: sessionGraphFile(), SESSION_RATE_LIMIT: '' });
    try {
      for (let i = 0; i < 10; i++) expect((await postJson(`${limited.base}/session`, { nick: `n${i}` })).status).toBe(201);
      expect((await postJson(`${limited.base}/session`, { nick: 'n10' })).status).toBe(429);
    } finally {
      await limited.close();
    }
  });
});

describe('external sign-in, where none is configured', () => {
  it('says so at GET B/auth, and answers B/auth/oidc 404', async () => {
    expect((await call(`${server.base}/auth`)).body).toEqual({ oidc: null });
    const start = await call(`${server.base}/auth/oidc`, { redirect: 'manual' });
    expect(start.status).toBe(404);
    expect(start.body.error.code).toBe('NOT_FOUND');
  });
});

describe('a graph without guests', () => {
  it('refuses a nick alone with 400 BAD_FIELD, and takes accounts', async () => {
    const closed = await startServer({ GRAPH: writeGraph(setInitial(defaultGraph(), 'Session', 'guests', false)) });
    try {
      const refused = await postJson(`${closed.base}/session`, { nick: 'wes' });
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('BAD_FIELD');
      expect((await createAccount(closed.base, 'wes')).status).toBe(201);
    } finally {
      await closed.close();
    }
  });
});
