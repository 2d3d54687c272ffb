import { describe, expect, it } from 'vitest';
import Session from '../../components/session.ts';
import type { UserQuery } from '../../src/protocol/membership.ts';
import type { HttpRequest, Reply } from '../../src/protocol/packets.ts';
import { ManualClock } from '../helpers/clock.ts';
import { harness } from '../helpers/component-harness.ts';
import { fakeRequest } from '../helpers/fake-request.ts';

async function open(session: ReturnType<typeof harness>, nick: string): Promise<string> {
  await session.send('manage', fakeRequest({ method: 'POST', path: '/gochat/chat/session', body: { nick } }));
  const reply = session.sent.reply?.at(-1) as Reply;
  return (reply.body as { token: string }).token;
}

/** authenticate sends a request through the `in` port and returns it as it came out. */
async function authenticate(session: ReturnType<typeof harness>, authorization?: string): Promise<HttpRequest> {
  await session.send('in', fakeRequest(authorization === undefined ? {} : { headers: { authorization } }));
  return session.sent.out?.at(-1) as HttpRequest;
}

describe('Session', () => {
  it('opens a session and attaches it to each request that carries its token', async () => {
    const session = harness(Session);
    const token = await open(session, 'alice');
    expect(token).toMatch(/^[A-Za-z0-9_-]{21}$/);
    expect((await authenticate(session, `Bearer ${token}`)).session).toMatchObject({ nick: 'alice', token });
  });

  it('passes requests without a token, or with an unknown one, on without a session', async () => {
    const session = harness(Session);
    expect((await authenticate(session)).session).toBeUndefined();
    expect((await authenticate(session, 'Bearer unknown-token-xyz')).session).toBeUndefined();
    expect((await authenticate(session, 'Basic abc')).session).toBeUndefined();
  });

  it('refuses a nick held by an active session with NICK_TAKEN', async () => {
    const session = harness(Session);
    await open(session, 'bob');
    await session.send('manage', fakeRequest({ method: 'POST', body: { nick: 'bob' } }));
    expect(session.sent.reply?.at(-1)).toMatchObject({ status: 409, body: { error: { code: 'NICK_TAKEN' } } });
  });

  it('expires a session idleMs after its last use, not before, announcing the departure', async () => {
    const clock = new ManualClock();
    const session = harness(Session, { now: clock.now });
    await session.send('idleMs', 1_000);
    const token = await open(session, 'carol');
    clock.advance(999);
    expect((await authenticate(session, `Bearer ${token}`)).session).toMatchObject({ nick: 'carol' });
    clock.advance(999);
    expect((await authenticate(session, `Bearer ${token}`)).session).toMatchObject({ nick: 'carol' });
    expect(session.sent.ended).toEqual([]);
    clock.advance(1_000);
    expect((await authenticate(session, `Bearer ${token}`)).session).toBeUndefined();
    expect(session.sent.ended).toEqual([{ nick: 'carol', user: expect.stringMatching(/^g_/), guest: true, userGone: true }]);
    await session.stop();
  });

  it('ends a session on DELETE and announces the departure', async () => {
    const session = harness(Session);
    const token = await open(session, 'dan');
    const request = await authenticate(session, `Bearer ${token}`);
    await session.send('manage', Object.assign(fakeRequest({ method: 'DELETE', session: request.session })));
    expect(session.sent.reply?.at(-1)).toMatchObject({ status: 204 });
    expect(session.sent.ended).toEqual([{ nick: 'dan', user: expect.stringMatching(/^g_/), guest: true, userGone: true }]);
  });

  it('turns user searches into queries with the matching nicks', async () => {
    const session = harness(Session);
    for (const nick of ['ann', 'anna', 'bo']) await open(session, nick);
    await session.send('users', fakeRequest({ path: '/gochat/chat/users', query: { q: 'an' } }));
    expect((session.sent.users?.[0] as UserQuery & { kind: 'search' }).nicks).toEqual(['ann', 'anna']);
  });

  it('answers 404 for the profile of a nick without a session', async () => {
    const session = harness(Session);
    await session.send('users', fakeRequest({ params: { nick: 'ghost' } }));
    expect(session.sent.reply?.[0]).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
  });

  it('refuses sessions beyond maxSessions with 503 TOO_MANY_SESSIONS', async () => {
    const session = harness(Session);
    await session.send('maxSessions', 1);
    await open(session, 'first');
    await session.send('manage', fakeRequest({ method: 'POST', body: { nick: 'second' } }));
    expect(session.sent.reply?.at(-1)).toMatchObject({ status: 503, headers: { 'retry-after': '60' }, body: { error: { code: 'TOO_MANY_SESSIONS' } } });
    await session.stop();
  });
});
