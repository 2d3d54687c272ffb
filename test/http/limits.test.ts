import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../helpers/clock.ts';
import { roomIn, roomsIn } from '../helpers/bodies.ts';
import { defaultGraph, setInitial, writeGraph } from '../helpers/graph-file.ts';
import { as, sessionGraphFile, signIn } from '../helpers/sessions.ts';
import { call, postJson, startServer, type TestServer } from '../helpers/server.ts';

/**
 * PROTOCOL.md v1.1, "Limits", each at its edge with graph.json's own
 * settings: one under passes, one over is refused with its code, and the
 * refusal changes nothing.
 */
const clock = new ManualClock();
let server: TestServer;
beforeAll(async () => {
  server = await startServer({ GRAPH: sessionGraphFile(), RATE_LIMIT: '0' }, { now: clock.now });
});
afterAll(() => server.close());

let prefixes = 0;
/** signInMany signs in `count` guests whose nicks share a fresh prefix. */
async function signInMany(count: number): Promise<{ prefix: string; nicks: string[]; tokens: string[] }> {
  const prefix = `p${++prefixes}x`;
  const nicks = Array.from({ length: count }, (_, i) => `${prefix}${i}`);
  const tokens = await Promise.all(nicks.map((nick) => signIn(server.base, nick)));
  return { prefix, nicks, tokens };
}

describe('a private room', () => {
  it('takes 100 members, and refuses a 101st (409 ROOM_FULL) at creation and by invitation, changing nothing', async () => {
    const { nicks, tokens } = await signInMany(101);
    const owner = as(server.base, tokens[0]!);
    const full = await owner.post('/rooms', { name: `full${prefixes}`, private: true, members: nicks.slice(1, 100) });
    expect(full.status).toBe(201);
    expect(roomIn(full).members).toHaveLength(100);
    const tooMany = await owner.post('/rooms', { name: `over${prefixes}`, private: true, members: nicks.slice(1) });
    expect(tooMany.status).toBe(409);
    expect(tooMany.body.error.code).toBe('ROOM_FULL');
    expect(roomsIn(await owner.get('/rooms')).map((r) => r.name)).not.toContain(`over${prefixes}`);
    const invited = await owner.post(`/rooms/full${prefixes}/invite`, { nick: nicks[100] });
    expect(invited.status).toBe(409);
    expect(invited.body.error.code).toBe('ROOM_FULL');
    expect((await as(server.base, tokens[100]!).get(`?room=full${prefixes}&timeout=0`)).status).toBe(403);
  });
});

describe('a user', () => {
  it('is a member of at most 200 private rooms: the 201st is refused 409 ROOM_FULL, to create or to be invited into', async () => {
    const { tokens, nicks } = await signInMany(2);
    const busy = as(server.base, tokens[0]!);
    for (let i = 0; i < 200; i++) expect((await busy.post('/rooms', { name: `b${prefixes}r${i}`, private: true })).status).toBe(201);
    const refused = await busy.post('/rooms', { name: `b${prefixes}r200`, private: true });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('ROOM_FULL');
    const other = as(server.base, tokens[1]!);
    await other.post('/rooms', { name: `b${prefixes}theirs`, private: true });
    expect((await other.post(`/rooms/b${prefixes}theirs/invite`, { nick: nicks[0] })).body.error.code).toBe('ROOM_FULL');
    expect((await busy.post(`/rooms/b${prefixes}r0/leave`, {})).status).toBe(200);
    expect((await busy.post('/rooms', { name: `b${prefixes}r200`, private: true })).status).toBe(201);
  });

  it('is present in at most 20 rooms: a poll in a 21st is answered, without presence or a join line', async () => {
    const { nicks, tokens } = await signInMany(1);
    const me = as(server.base, tokens[0]!);
    const rooms = Array.from({ length: 21 }, (_, i) => `r${prefixes}n${i}`);
    for (const room of rooms) expect((await me.get(`?room=${room}&timeout=0`)).status).toBe(200);
    const present = async (room: string) => (await call(`${server.base}/users?room=${room}`)).body.users.map((u) => u.nick);
    expect(await present(rooms[19]!)).toEqual(nicks);
    expect(await present(rooms[20]!)).toEqual([]);
    expect((await call(`${server.base}?room=${rooms[20]}&timeout=0`)).body.messages).toEqual([]);
  });

  it('appends at most 6 join and leave lines to one room a minute; presence is still tracked', async () => {
    const { nicks, tokens } = await signInMany(1);
    const me = as(server.base, tokens[0]!);
    const room = `lines${prefixes}`;
    const lines = async () => (await call(`${server.base}?room=${room}&timeout=0&limit=1000`)).body.messages.map((m) => m.type);
    for (let i = 0; i < 4; i++) {
      await me.get(`?room=${room}&timeout=0`);
      await me.post(`/rooms/${room}/leave`, {});
    }
    expect(await lines()).toEqual(['join', 'leave', 'join', 'leave', 'join', 'leave']);
    await me.get(`?room=${room}&timeout=0`);
    expect((await call(`${server.base}/users?room=${room}`)).body.users.map((u) => u.nick)).toEqual(nicks);
    clock.advance(60_000);
    await me.post(`/rooms/${room}/leave`, {});
    expect(await lines()).toEqual(['join', 'leave', 'join', 'leave', 'join', 'leave', 'leave']);
  });
});

describe('searching users', () => {
  it('lists at most 20', async () => {
    const { prefix } = await signInMany(21);
    expect((await call(`${server.base}/users?q=${prefix}`)).body.users).toHaveLength(20);
  });
});

describe('a poll answer', () => {
  it('stays within 1 MiB, stopping early with more: true; the next poll gets the rest', async () => {
    const room = `big${++prefixes}`;
    const token = await signIn(server.base, `poster${prefixes}`);
    // 4,000 emoji: 16,000 bytes of UTF-8 each, so 70 of them come to some 1.1 MiB.
    for (let i = 0; i < 70; i++) expect((await postJson(server.base, { text: '😀'.repeat(4000), room }, { authorization: `Bearer ${token}` })).status).toBe(201);
    const response = await fetch(`${server.base}?room=${room}&limit=1000&timeout=0`);
    const bytes = (await response.arrayBuffer()).byteLength;
    expect(bytes).toBeLessThanOrEqual(1_048_576);
    expect(bytes).toBeGreaterThan(1_048_576 - 2 * 16_100);
    const first = await call(`${server.base}?room=${room}&limit=1000&timeout=0`);
    expect(first.body.more).toBe(true);
    const rest = await call(`${server.base}?room=${room}&limit=1000&timeout=0&since=${first.body.next}`);
    expect(rest.body.more).toBe(false);
    const posted = [...first.body.messages, ...rest.body.messages].filter((m) => m.type === 'message');
    expect(posted.map((m) => m.id)).toEqual(Array.from({ length: 70 }, (_, i) => i + 1 + (first.body.messages[0]!.type === 'join' ? 1 : 0)));
  });
});

describe('the one rate limit on what a user makes', () => {
  it('counts posts, room creations, invitations and leaves together, per user: a second session buys nothing', async () => {
    const limited = await startServer({ GRAPH: sessionGraphFile(), RATE_LIMIT: '4' });
    try {
      const login = 'counted';
      const first = await postJson(`${limited.base}/accounts`, { login, password: 'long enough' });
      const a = as(limited.base, (first.body as unknown as { token: string }).token);
      const second = await postJson(`${limited.base}/session`, { login, password: 'long enough' });
      const b = as(limited.base, (second.body as unknown as { token: string }).token);
      const guest = await signIn(limited.base, 'friend');
      expect((await a.post('', { text: 'one' })).status).toBe(201);
      expect((await a.post('/rooms', { name: 'mine', private: true })).status).toBe(201);
      expect((await b.post('/rooms/mine/invite', { nick: 'friend' })).status).toBe(200);
      expect((await b.get('/rooms')).status).toBe(200);
      expect((await b.post('/rooms/mine/leave', {})).status).toBe(200);
      const refused = await b.post('', { text: 'five' });
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe('RATE_LIMITED');
      expect((await as(limited.base, guest).post('', { text: 'someone else' })).status).toBe(201);
    } finally {
      await limited.close();
    }
  });
});

describe('sessions', () => {
  it('stop at Session.maxSessions: one more is 503 TOO_MANY_SESSIONS, and an ended one makes room', async () => {
    const small = await startServer({ GRAPH: writeGraph(setInitial(defaultGraph(), 'Session', 'maxSessions', 3)) });
    try {
      const tokens = [];
      for (let i = 0; i < 3; i++) tokens.push(await signIn(small.base, `s${i}`));
      const refused = await postJson(`${small.base}/session`, { nick: 's3' });
      expect(refused.status).toBe(503);
      expect(refused.body.error.code).toBe('TOO_MANY_SESSIONS');
      expect(refused.headers.get('retry-after')).toBe('60');
      await as(small.base, tokens[0]!).send('DELETE', '/session');
      expect((await postJson(`${small.base}/session`, { nick: 's3' })).status).toBe(201);
    } finally {
      await small.close();
    }
  });
});

describe('rooms and bytes', () => {
  it('lists at most 200 rooms, public and private together, the most recently active first', async () => {
    // Activity is told apart to the millisecond: each post comes one later.
    const ticking = new ManualClock();
    const many = await startServer({ RATE_LIMIT: '0' }, { now: ticking.now });
    try {
      const me = as(many.base, await signIn(many.base, 'lister'));
      await me.post('/rooms', { name: 'mine', private: true });
      const post = (room: string) => {
        ticking.advance(1);
        return postJson(many.base, { author: 'a', text: 'x', room });
      };
      for (let i = 0; i < 201; i++) await post(`listed-${i}`);
      ticking.advance(1);
      await me.post('', { text: 'latest', room: 'mine' });
      await post('listed-5');
      const listed = roomsIn(await me.get('/rooms')).map((r) => r.name);
      expect(listed).toHaveLength(200);
      expect(listed.slice(0, 4)).toEqual(['listed-5', 'mine', 'listed-200', 'listed-199']);
      expect(listed).not.toContain('listed-1');
    } finally {
      await many.close();
    }
  });

  it('lets presence never use up rooms: polls to made-up rooms leave room for posts, and /health counts rooms with posts', async () => {
    const graph = writeGraph(setInitial(setInitial(defaultGraph(), 'Storage', 'maxRooms', 3), 'SendController', 'sessionRequired', true));
    const small = await startServer({ GRAPH: graph, RATE_LIMIT: '0' });
    try {
      const me = as(small.base, await signIn(small.base, 'wanderer'));
      for (let i = 0; i < 10; i++) expect((await me.get(`?room=made-up-${i}&timeout=0`)).status).toBe(200);
      expect((await call(`${small.base}/health`)).body.rooms).toBe(0);
      for (let i = 0; i < 3; i++) expect((await me.post('', { text: 'kept', room: `real-${i}` })).status).toBe(201);
      expect((await call(`${small.base}/health`)).body.rooms).toBe(3);
      const refused = await me.post('', { text: 'one too many', room: 'real-3' });
      expect(refused.status).toBe(503);
      expect(refused.body.error.code).toBe('ROOM_LIMIT');
      for (let i = 0; i < 3; i++) expect((await me.get(`?room=real-${i}&timeout=0&since=0`)).body.messages.map((m) => m.text)).toContain('kept');
    } finally {
      await small.close();
    }
  });

  it('keeps retained messages within STORAGE_MAX_BYTES, the least recently active room\'s oldest first; its readers see truncated', async () => {
    const tight = await startServer({ RATE_LIMIT: '0', STORAGE_MAX_BYTES: '65536' });
    try {
      const text = 'x'.repeat(4000);
      for (let i = 0; i < 10; i++) await postJson(tight.base, { author: 'a', text, room: 'older' });
      for (let i = 0; i < 10; i++) await postJson(tight.base, { author: 'a', text, room: 'newer' });
      const older = await call(`${tight.base}?room=older&timeout=0&since=0`);
      const newer = await call(`${tight.base}?room=newer&timeout=0&since=0`);
      expect(newer.body).toMatchObject({ truncated: false });
      expect(newer.body.messages.map((m) => m.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(older.body.truncated).toBe(true);
      expect(older.body.messages.length).toBeLessThan(10);
      expect(older.body.messages.at(-1)?.id).toBe(10);
      const kept = [...older.body.messages, ...newer.body.messages].reduce((sum, m) => sum + Buffer.byteLength(JSON.stringify(m)), 0);
      expect(kept).toBeLessThanOrEqual(65_536);
    } finally {
      await tight.close();
    }
  });
});
