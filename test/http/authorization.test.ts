import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../helpers/clock.ts';
import { as, sessionGraphFile, signIn } from '../helpers/sessions.ts';
import { roomsIn } from '../helpers/bodies.ts';
import { startServer, type Answer, type TestServer } from '../helpers/server.ts';

/**
 * Every endpoint of a private room × every kind of caller: a member, a
 * signed-in non-member, no session, an expired session. Non-members learn
 * nothing of the room's content.
 */
const clock = new ManualClock();
let server: TestServer;
let expired: string;
let rooms = 0;

beforeAll(async () => {
  server = await startServer({ GRAPH: sessionGraphFile(), RATE_LIMIT: '0' }, { now: clock.now });
  expired = await signIn(server.base, 'expired');
  // Past graph.json's expiry (10 minutes); every other session is opened after this.
  clock.advance(10 * 60_000);
  // The one the endpoints invite: invitations name a current user.
  await signIn(server.base, 'dave');
});
afterAll(() => server.close());

type Caller = 'member' | 'non-member' | 'no session' | 'expired session';
type Call = (api: ReturnType<typeof as>, room: string) => Promise<Answer>;

const endpoints: [string, Call, number][] = [
  ['GET B?room=R (poll)', (api, r) => api.get(`?room=${r}&timeout=0`), 200],
  ['POST B (post)', (api, r) => api.post('', { text: 'hello', room: r }), 201],
  ['GET B/users?room=R', (api, r) => api.get(`/users?room=${r}`), 200],
  ['POST B/rooms/R/invite', (api, r) => api.post(`/rooms/${r}/invite`, { nick: 'dave' }), 200],
  ['POST B/rooms/R/leave', (api, r) => api.post(`/rooms/${r}/leave`, {}), 200],
];

const refusal: Record<Exclude<Caller, 'member'>, [number, string]> = {
  'non-member': [403, 'NOT_A_MEMBER'],
  'no session': [401, 'NO_SESSION'],
  'expired session': [401, 'NO_SESSION'],
};

/** setUp makes a private room with one secret message, and the caller's API. */
async function setUp(caller: Caller) {
  const room = `priv-${++rooms}`;
  const owner = as(server.base, await signIn(server.base, `owner${rooms}`));
  await owner.post('/rooms', { name: room, private: true });
  await owner.post('', { text: 'the secret', room });
  const token = {
    member: undefined,
    'non-member': await signIn(server.base, `stranger${rooms}`),
    'no session': undefined,
    'expired session': expired,
  }[caller];
  return { room, owner, api: caller === 'member' ? owner : as(server.base, token) };
}

describe.each<Caller>(['member', 'non-member', 'no session', 'expired session'])('a private room, called by a %s', (caller) => {
  it.each(endpoints)('%s', async (_name, endpoint, allowed) => {
    const { room, owner, api } = await setUp(caller);
    const answer = await endpoint(api, room);
    if (caller === 'member') {
      expect(answer.status).toBe(allowed);
      return;
    }
    const [status, code] = refusal[caller];
    expect(answer.status).toBe(status);
    expect(answer.body.error.code).toBe(code);
    expect(JSON.stringify(answer.body)).not.toContain('the secret');
    // Refused means unchanged: one message (the owner's poll adds their own join), the owner alone.
    const state = await owner.get(`?room=${room}&timeout=0`);
    expect(state.body.messages.filter((m) => m.type === 'message').map((m) => m.text)).toEqual(['the secret']);
    expect(roomsIn(await owner.get('/rooms')).find((r) => r.name === room)?.members).toEqual([`owner${rooms}`]);
  });

  it('GET B/rooms lists the room only to a member', async () => {
    const { room, api } = await setUp(caller);
    const names = roomsIn(await api.get('/rooms')).map((r) => r.name);
    expect(names.includes(room)).toBe(caller === 'member');
  });

  it('POST B/rooms needs a live session', async () => {
    const { api } = await setUp(caller);
    const answer = await api.post('/rooms', { private: true, members: ['dave'] });
    expect(answer.status).toBe(caller === 'member' || caller === 'non-member' ? 201 : 401);
  });

  it('GET, PATCH and DELETE B/session need a live session', async () => {
    const { api } = await setUp(caller);
    const live = caller === 'member' || caller === 'non-member';
    expect((await api.get('/session')).status).toBe(live ? 200 : 401);
    expect((await api.send('PATCH', '/session', { status: 'here' })).status).toBe(live ? 200 : 401);
    expect((await api.send('DELETE', '/session')).status).toBe(live ? 204 : 401);
  });
});
