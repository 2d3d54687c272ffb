import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../src/protocol/packets.ts';
import { roomsIn } from '../helpers/bodies.ts';
import { ManualClock } from '../helpers/clock.ts';
import { as, bearer, sessionGraphFile, signIn } from '../helpers/sessions.ts';
import { AT_ONCE_MS, call, heldPolls, openPoll, startServer, waitFor, type TestServer } from '../helpers/server.ts';

// PROTOCOL.md: present while holding a poll, or having polled in the last 35 s.
const DEFAULT_WINDOW_MS = 35_000;

// graph.json's own window, on a clock the tests move.
const clock = new ManualClock();
let server: TestServer;
let rooms = 0;
const room = () => `pres-${++rooms}`;

beforeAll(async () => {
  server = await startServer({ GRAPH: sessionGraphFile() }, { now: clock.now });
});
afterAll(() => server.close());

// Presence is swept once a second of real time; a sweep is awaited, never slept for.
const SWEEP_WAIT_MS = 5_000;

const nicksIn = async (r: string): Promise<string[]> => (await call(`${server.base}/users?room=${r}`)).body.users.map((u) => u.nick);

/** pollOnce signs a new user in, polls `r` once and returns the nick: someone whose window starts now. */
async function pollOnce(r: string, prefix: string): Promise<string> {
  const nick = `${prefix}${r.replace('pres-', '')}`;
  await as(server.base, await signIn(server.base, nick)).get(`?room=${r}&timeout=0`);
  return nick;
}

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

  it('appends a leave 35 s after the last poll, not before, and a new join when the user comes back', async () => {
    const r = room();
    const nick = `carol${rooms}`;
    const carol = as(server.base, await signIn(server.base, nick));
    const early = await pollOnce(r, 'early');
    clock.advance(1);
    await carol.get(`?room=${r}&timeout=0`);
    clock.advance(DEFAULT_WINDOW_MS - 1);
    // The sweep that lets the earlier user go has seen carol a millisecond short of her window.
    await waitFor(async () => (await events(r)).some(([type, author]) => type === 'leave' && author === early), SWEEP_WAIT_MS);
    expect(await nicksIn(r)).toEqual([nick]);
    clock.advance(1);
    await waitFor(async () => (await nicksIn(r)).length === 0, SWEEP_WAIT_MS);
    // With Redis the leave line is appended a moment after the presence went: wait for it as for the earlier user's.
    await waitFor(async () => (await events(r)).some(([type, author]) => type === 'leave' && author === nick), SWEEP_WAIT_MS);
    expect((await events(r)).filter(([, author]) => author === nick)).toEqual([['join', nick, `${nick} joined`], ['leave', nick, `${nick} left`]]);
    await carol.get(`?room=${r}&timeout=0`);
    expect((await events(r)).at(-1)).toEqual(['join', nick, `${nick} joined`]);
  });

  it('keeps a user present while they hold a poll longer than the window', async () => {
    const r = room();
    const nick = `dave${rooms}`;
    const token = await signIn(server.base, nick);
    const before = await heldPolls(server.base);
    const held = openPoll(`${server.base}?room=${r}&timeout=60&since=1`, bearer(token));
    await waitFor(async () => (await heldPolls(server.base)) > before);
    // In a room of its own, so its join does not answer dave's poll.
    const elsewhere = room();
    const early = await pollOnce(elsewhere, 'early');
    clock.advance(10 * DEFAULT_WINDOW_MS);
    await waitFor(async () => (await events(elsewhere)).some(([type, author]) => type === 'leave' && author === early), SWEEP_WAIT_MS);
    expect(await nicksIn(r)).toEqual([nick]);
    held.disconnect();
  });

  it('appends a leave at once when the session ends', async () => {
    const r = room();
    const nick = `erin${rooms}`;
    const erin = as(server.base, await signIn(server.base, nick));
    await erin.get(`?room=${r}&timeout=0`);
    await erin.send('DELETE', '/session');
    // The clock stands still, so no window can pass: only the session's end can append the leave.
    await waitFor(async () => (await events(r)).length === 2, AT_ONCE_MS);
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
    for (const nick of [`fay${rooms}`, `gus${rooms}`]) await as(server.base, await signIn(server.base, nick)).get(`?room=${r}&timeout=0`);
    const { body } = await call(`${server.base}/users?room=${r}`);
    expect(body.room).toBe(r);
    expect(body.users.map((u) => u.nick)).toEqual([`fay${rooms}`, `gus${rooms}`]);
    expect(body.users[0]?.since).toBe(clock.now());
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

  it('/NICK and the room listing say online while the user is present, and not once they have left', async () => {
    const r = room();
    const nick = await pollOnce(r, 'olive');
    expect((await call(`${server.base}/users/${nick}`)).body).toMatchObject({ nick, online: true });
    expect(roomsIn(await call(`${server.base}/rooms`)).find((x) => x.name === r)).toMatchObject({ online: 1 });
    clock.advance(DEFAULT_WINDOW_MS);
    await waitFor(async () => (await nicksIn(r)).length === 0, SWEEP_WAIT_MS);
    expect((await call(`${server.base}/users/${nick}`)).body).toMatchObject({ nick, online: false });
    expect(roomsIn(await call(`${server.base}/rooms`)).find((x) => x.name === r)).toMatchObject({ online: 0 });
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
