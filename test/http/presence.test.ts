import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../src/protocol/packets.ts';
import { roomsIn } from '../helpers/bodies.ts';
import { as, bearer, sessionGraphFile, signIn } from '../helpers/sessions.ts';
import { call, heldPolls, startServer, waitFor, type TestServer } from '../helpers/server.ts';

const WINDOW_MS = 1_000;
let server: TestServer;
let rooms = 0;
const room = () => `pres-${++rooms}`;

beforeAll(async () => {
  server = await startServer({ GRAPH: sessionGraphFile({ windowMs: WINDOW_MS }) });
});
afterAll(() => server.close());

const history = async (r: string): Promise<Message[]> => (await call(`${server.base}?room=${r}&timeout=0&limit=1000`)).body.messages;
const events = async (r: string) => (await history(r)).filter((m) => m.type !== 'message').map((m) => [m.type, m.author, m.text]);

describe('presence', () => {
  it('appends a join when a user first polls a room, with the next id', async () => {
    const r = room();
    const alice = as(server.base, await signIn(server.base, `alice${rooms}`));
    await alice.post('', { text: 'before', room: r });
    await alice.get(`?room=${r}&timeout=0&since=1`);
    const all = await history(r);
    expect(all.map((m) => [m.id, m.type, m.text])).toEqual([[1, 'message', 'before'], [2, 'join', `alice${rooms} joined`]]);
    expect(all[1]?.author).toBe(`alice${rooms}`);
  });

  it('leaves join lines out of the posted-message count that GET B/rooms lists beside lastId', async () => {
    const r = room();
    const alice = as(server.base, await signIn(server.base, `alice${rooms}`));
    await alice.get(`?room=${r}&timeout=0`);
    await alice.post('', { text: 'one', room: r });
    await alice.post('', { text: 'two', room: r });
    const listed = roomsIn(await alice.get('/rooms')).find((x) => x.name === r);
    expect(listed).toMatchObject({ lastId: 3, messages: 2 });
  });

  it('appends nothing when a present user re-polls', async () => {
    const r = room();
    const bob = as(server.base, await signIn(server.base, `bob${rooms}`));
    for (let i = 0; i < 5; i++) await bob.get(`?room=${r}&timeout=0`);
    expect(await events(r)).toEqual([['join', `bob${rooms}`, `bob${rooms} joined`]]);
  });

  it('appends a leave once the user has not polled for the window, and a new join when they come back', async () => {
    const r = room();
    const nick = `carol${rooms}`;
    const carol = as(server.base, await signIn(server.base, nick));
    await carol.get(`?room=${r}&timeout=0`);
    await waitFor(async () => (await events(r)).length === 2, WINDOW_MS + 3_000);
    expect(await events(r)).toEqual([['join', nick, `${nick} joined`], ['leave', nick, `${nick} left`]]);
    await carol.get(`?room=${r}&timeout=0`);
    expect((await events(r)).at(-1)).toEqual(['join', nick, `${nick} joined`]);
  });

  it('keeps a user present while they hold a poll longer than the window', async () => {
    const r = room();
    const nick = `dave${rooms}`;
    const token = await signIn(server.base, nick);
    const before = await heldPolls(server.base);
    const held = fetch(`${server.base}?room=${r}&timeout=3&since=1`, { headers: bearer(token) });
    await waitFor(async () => (await heldPolls(server.base)) > before);
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS + 1_200));
    expect((await call(`${server.base}/users?room=${r}`)).body.users.map((u) => u.nick)).toEqual([nick]);
    await held;
  });

  it('appends a leave at once when the session ends', async () => {
    const r = room();
    const nick = `erin${rooms}`;
    const erin = as(server.base, await signIn(server.base, nick));
    await erin.get(`?room=${r}&timeout=0`);
    await erin.send('DELETE', '/session');
    expect(await events(r)).toEqual([['join', nick, `${nick} joined`], ['leave', nick, `${nick} left`]]);
  });

  it('does not track polls without a session', async () => {
    const r = room();
    await call(`${server.base}?room=${r}&timeout=0`);
    expect(await history(r)).toEqual([]);
    expect((await call(`${server.base}/users?room=${r}`)).body).toEqual({ room: r, users: [] });
  });
});

describe('GET B/users', () => {
  it('?room=R lists who is present, with when they became present', async () => {
    const r = room();
    const started = Date.now();
    for (const nick of [`fay${rooms}`, `gus${rooms}`]) await as(server.base, await signIn(server.base, nick)).get(`?room=${r}&timeout=0`);
    const { body } = await call(`${server.base}/users?room=${r}`);
    expect(body.room).toBe(r);
    expect(body.users.map((u) => u.nick)).toEqual([`fay${rooms}`, `gus${rooms}`]);
    expect(body.users[0]?.since).toBeGreaterThanOrEqual(started);
  });

  it('?q=prefix finds the nicks of active sessions, with whether they are online', async () => {
    const here = as(server.base, await signIn(server.base, 'zoe-here'));
    await signIn(server.base, 'zoe-away');
    await here.get(`?room=${room()}&timeout=0`);
    const { body } = await call(`${server.base}/users?q=zoe`);
    expect(body).toEqual({ users: [{ nick: 'zoe-away', online: false }, { nick: 'zoe-here', online: true }] });
    expect((await call(`${server.base}/users?q=nobody`)).body).toEqual({ users: [] });
  });

  it('/NICK shows a profile, and 404 for a nick without a session', async () => {
    await signIn(server.base, 'yann');
    expect((await call(`${server.base}/users/yann`)).body).toEqual({ nick: 'yann', status: '', bio: '', online: false });
    const missing = await call(`${server.base}/users/ghost`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
  });

  it.each<[string, string]>([
    ['', 'BAD_FIELD'],
    ['?room=Bad', 'BAD_ROOM'],
    ['?q=', 'BAD_NICK'],
    ['?q=a%20b', 'BAD_NICK'],
  ])('refuses B/users%s with 400 %s', async (query, code) => {
    const answer = await call(`${server.base}/users${query}`);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe(code);
  });
});
