import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, sessionGraphFile, signIn } from '../helpers/sessions.ts';
import { roomIn, roomsIn } from '../helpers/bodies.ts';
import { call, startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let alice: ReturnType<typeof as>;
let bob: ReturnType<typeof as>;
let carol: ReturnType<typeof as>;

beforeAll(async () => {
  server = await startServer({ GRAPH: sessionGraphFile() });
  alice = as(server.base, await signIn(server.base, 'alice'));
  bob = as(server.base, await signIn(server.base, 'bob'));
  carol = as(server.base, await signIn(server.base, 'carol'));
});
afterAll(() => server.close());

describe('POST B/rooms', () => {
  it('creates a private room with the creator as a member', async () => {
    const answer = await alice.post('/rooms', { name: 'ops', private: true, members: ['bob'] });
    expect(answer.status).toBe(201);
    expect(roomIn(answer)).toEqual({ name: 'ops', private: true, members: ['alice', 'bob'], lastId: 0, messages: 0, online: 0 });
  });

  it('draws a name when none is given', async () => {
    const answer = await alice.post('/rooms', { private: true, members: ['bob', 'carol'] });
    expect(answer.status).toBe(201);
    expect(roomIn(answer).name).toMatch(/^room-[a-z0-9]{12}$/);
  });

  it('makes a direct conversation of two members, and finds it again instead of making a second', async () => {
    const first = await alice.post('/rooms', { private: true, members: ['carol'] });
    const again = await carol.post('/rooms', { private: true, members: ['alice'] });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(roomIn(again).name).toBe(roomIn(first).name);
    expect(roomIn(again).members).toEqual(['alice', 'carol']);
  });

  it.each<[string, unknown, string]>([
    ['a bad name', { name: 'Not OK', private: true }, 'BAD_ROOM'],
    ['private that is not a boolean', { name: 'x1', private: 'yes' }, 'BAD_FIELD'],
    ['members that is not a list', { name: 'x2', private: true, members: 'bob' }, 'BAD_FIELD'],
    ['a bad member nick', { name: 'x3', private: true, members: ['b o b'] }, 'BAD_FIELD'],
    ['a public room without a name', { private: false }, 'BAD_ROOM'],
  ])('refuses %s with 400 %s, creating nothing', async (_name, body, code) => {
    const before = roomsIn(await alice.get('/rooms'));
    const answer = await alice.post('/rooms', body);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe(code);
    expect(roomsIn(await alice.get('/rooms'))).toEqual(before);
  });

  it('refuses with 409 ROOM_TAKEN to turn a public room that people poll into a private one', async () => {
    for (const name of ['lobby', 'watched']) {
      await call(`${server.base}?room=${name}&timeout=0`);
      const hijack = await carol.post('/rooms', { name, private: true });
      expect(hijack.status).toBe(409);
      expect(hijack.body.error.code).toBe('ROOM_TAKEN');
      expect((await call(`${server.base}?room=${name}&timeout=0`)).status).toBe(200);
    }
  });

  it('finds again only a direct conversation, not a named room of the same two people', async () => {
    await bob.post('/rooms', { name: 'pair', private: true, members: ['carol'] });
    const direct = await bob.post('/rooms', { private: true, members: ['carol'] });
    expect(direct.status).toBe(201);
    expect(roomIn(direct).name).not.toBe('pair');
  });

  it('refuses with 409 ROOM_TAKEN the name of a room that exists or was public', async () => {
    await alice.post('', { text: 'public history', room: 'town' });
    const taken = await carol.post('/rooms', { name: 'town', private: true });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('ROOM_TAKEN');
    await alice.post('/rooms', { name: 'secret', private: true });
    expect((await carol.post('/rooms', { name: 'secret', private: true })).body.error.code).toBe('ROOM_TAKEN');
  });
});

describe('GET B/rooms', () => {
  it('lists every public room and the private rooms the caller is in, with lastId and online', async () => {
    await alice.post('', { text: 'public history', room: 'square' });
    await alice.post('/rooms', { name: 'club', private: true });
    await alice.post('', { text: 'members only', room: 'club' });
    const mine = roomsIn(await alice.get('/rooms'));
    expect(mine).toContainEqual({ name: 'club', private: true, members: ['alice'], lastId: 1, messages: 1, online: 0 });
    expect(mine).toContainEqual({ name: 'square', private: false, lastId: 1, messages: 1, online: 0 });
    const theirs = roomsIn(await call(`${server.base}/rooms`)).map((r) => r.name);
    expect(theirs).toContain('square');
    expect(theirs).not.toContain('club');
  });
});

describe('posts marked "private": true (an addition)', () => {
  it('reach a private room of which the poster is a member', async () => {
    await alice.post('/rooms', { name: 'vault', private: true, members: ['bob'] });
    expect((await bob.post('', { text: 'inside', room: 'vault', private: true })).status).toBe(201);
    expect((await carol.post('', { text: 'let me in', room: 'vault', private: true })).body.error.code).toBe('NOT_A_MEMBER');
  });

  it('are refused with 404, storing nothing, when the room is not private, as after a restart', async () => {
    const answer = await alice.post('', { text: 'for members only', room: 'forgotten', private: true });
    expect(answer.status).toBe(404);
    expect(answer.body.error.code).toBe('NOT_FOUND');
    expect((await call(`${server.base}?room=forgotten&timeout=0`)).body.messages).toEqual([]);
    expect(roomsIn(await alice.get('/rooms')).map((r) => r.name)).not.toContain('forgotten');
  });
});

describe('invite and leave', () => {
  it('lets a member invite, after which the guest can read the room', async () => {
    await alice.post('/rooms', { name: 'party', private: true });
    await alice.post('', { text: 'welcome', room: 'party' });
    expect((await carol.get('?room=party&timeout=0')).status).toBe(403);
    const invited = await alice.post('/rooms/party/invite', { nick: 'carol' });
    expect(invited.status).toBe(200);
    expect(roomIn(invited).members).toEqual(['alice', 'carol']);
    const read = await carol.get('?room=party&timeout=0');
    expect(read.body.messages.map((m) => [m.type, m.text])).toEqual([['message', 'welcome'], ['join', 'carol joined']]);
  });

  it('answers an invitation to a room that is not private with 404', async () => {
    expect((await alice.post('/rooms/lobby/invite', { nick: 'bob' })).status).toBe(404);
  });

  it('refuses a bad nick in an invitation with 400 BAD_NICK', async () => {
    await alice.post('/rooms', { name: 'inv2', private: true });
    expect((await alice.post('/rooms/inv2/invite', { nick: '' })).body.error.code).toBe('BAD_NICK');
  });

  it('lets a member leave, after which the room is closed to them', async () => {
    await alice.post('/rooms', { name: 'brief', private: true, members: ['bob'] });
    const left = await bob.post('/rooms/brief/leave', {});
    expect(left.status).toBe(200);
    expect(roomIn(left).members).toEqual(['alice']);
    expect((await bob.get('?room=brief&timeout=0')).status).toBe(403);
    expect(roomsIn(await bob.get('/rooms')).map((r) => r.name)).not.toContain('brief');
  });

  it('lets a member leave with a POST that has no body, as PROTOCOL.md gives a leave none', async () => {
    await alice.post('/rooms', { name: 'bodiless', private: true, members: ['bob'] });
    const left = await bob.send('POST', '/rooms/bodiless/leave');
    expect(left.status).toBe(200);
    expect(roomIn(left).members).toEqual(['alice']);
    expect((await bob.get('?room=bodiless&timeout=0')).status).toBe(403);
  });

  it('still wants a body for an invitation, which names someone', async () => {
    await alice.post('/rooms', { name: 'named', private: true });
    const answer = await alice.send('POST', '/rooms/named/invite');
    expect(answer.status).toBe(415);
    expect(answer.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });
});
