import { Redis } from 'ioredis';
import { expect, it, vi } from 'vitest';
import type { SessionEnd } from '../../src/protocol/membership.ts';
import { hashPassword, verifyPassword } from '../../src/sessions/password.ts';
import type { Session, SessionStore } from '../../src/sessions/session-store.ts';
import { describeBackends, describeRedis, type Backend } from '../helpers/backends.ts';
import { ManualClock } from '../helpers/clock.ts';

const MINUTE = 60_000;

async function storeOn(backend: Backend): Promise<{ store: SessionStore; clock: ManualClock; ended: SessionEnd[] }> {
  const clock = new ManualClock();
  const { sessions: store } = await backend.stores(clock.now);
  store.configure({ idleMs: 10 * MINUTE, accountIdleMs: 60 * MINUTE, maxSessions: 1_000 });
  const ended: SessionEnd[] = [];
  store.subscribe((end) => ended.push(end));
  return { store, clock, ended };
}

function opened(result: Session | 'taken' | 'full'): Session {
  if (typeof result === 'string') throw new Error(`expected a session, got ${result}`);
  return result;
}

describeBackends('SessionStore contract', (backend) => {
  it('opens a guest whose nick is taken while its session lives, and free again once it is closed, telling its end once', async () => {
    const { store, ended } = await storeOn(backend);
    const alice = opened(await store.openGuest('alice'));
    expect(alice.user).toMatchObject({ nick: 'alice', guest: true, status: '', bio: '' });
    expect(alice.user.id).toMatch(/^g_/);
    expect(await store.openGuest('alice')).toBe('taken');
    expect(await store.isTaken('alice')).toBe(true);
    expect((await store.touch(alice.token))?.user.id).toBe(alice.user.id);
    await store.close(alice);
    await store.close(alice);
    expect(ended).toEqual([{ nick: 'alice', user: alice.user.id, guest: true, userGone: true }]);
    expect(await store.touch(alice.token)).toBeUndefined();
    expect(await store.find('alice')).toBeUndefined();
    const again = opened(await store.openGuest('alice'));
    expect(again.user.id).not.toBe(alice.user.id);
  });

  it('ends a session its idle time after its last use (a touch renews it; a look does not), on use or by a sweep', async () => {
    const { store, clock, ended } = await storeOn(backend);
    const guest = opened(await store.openGuest('gina'));
    const other = opened(await store.openGuest('otto'));
    clock.advance(9 * MINUTE);
    expect(await store.touch(guest.token)).toBeDefined();
    expect(await store.live(other.token)).toBeDefined();
    clock.advance(MINUTE);
    expect(await store.live(other.token)).toBeUndefined();
    expect(await store.live(guest.token)).toBeDefined();
    expect(ended.map((e) => e.nick)).toEqual(['otto']);
    // Touched at 9 minutes: it lives until 19.
    clock.advance(8 * MINUTE);
    await store.sweep();
    expect(await store.live(guest.token)).toBeDefined();
    clock.advance(MINUTE);
    await store.sweep();
    expect(ended.map((e) => e.nick)).toEqual(['otto', 'gina']);
    expect(await store.isTaken('gina')).toBe(false);
  });

  it('keeps an account for good: log-ins open more sessions, and its user goes only with its last one', async () => {
    const { store, clock, ended } = await storeOn(backend);
    const first = opened(await store.createAccount('carol', await hashPassword('correct horse')));
    expect(first.user).toMatchObject({ nick: 'carol', guest: false });
    expect(await store.createAccount('carol', await hashPassword('x'.repeat(8)))).toBe('taken');
    expect(await store.openGuest('carol')).toBe('taken');
    const found = await store.credentials('carol');
    expect(found?.user.id).toBe(first.user.id);
    expect(await verifyPassword('correct horse', found?.password)).toBe(true);
    expect(await verifyPassword('wrong horse', found?.password)).toBe(false);
    expect(await store.credentials('nobody')).toBeUndefined();
    const second = opened(await store.openFor(first.user));
    const third = opened(await store.openFor(first.user));
    await store.close(first);
    expect(ended).toEqual([{ nick: 'carol', user: first.user.id, guest: false, userGone: false }]);
    await store.closeOthers(third);
    expect(await store.live(second.token)).toBeUndefined();
    expect(ended.at(-1)?.userGone).toBe(false);
    expect(await store.live(third.token)).toBeDefined();
    // An account outlives its sessions: 59 minutes idle is within accountIdleMs, 60 is not.
    clock.advance(59 * MINUTE);
    expect(await store.live(third.token)).toBeDefined();
    clock.advance(MINUTE);
    expect(await store.live(third.token)).toBeUndefined();
    expect(ended.at(-1)).toEqual({ nick: 'carol', user: first.user.id, guest: false, userGone: true });
    expect((await store.find('carol'))?.id).toBe(first.user.id);
    await store.setPassword(first.user, await hashPassword('battery staple'));
    expect(await verifyPassword('battery staple', (await store.credentials('carol'))?.password)).toBe(true);
  });

  it('finds users by nick and lists the nicks with a live session by prefix, sorted, at most a limit', async () => {
    const { store, clock } = await storeOn(backend);
    for (const nick of ['bob', 'bobby', 'bo', 'alice']) opened(await store.openGuest(nick));
    opened(await store.createAccount('bobcat', await hashPassword('p'.repeat(8))));
    expect(await store.nicksStartingWith('bo', 10)).toEqual(['bo', 'bob', 'bobby', 'bobcat']);
    expect(await store.nicksStartingWith('bob', 2)).toEqual(['bob', 'bobby']);
    expect(await store.nicksStartingWith('z', 10)).toEqual([]);
    clock.advance(10 * MINUTE);
    // Guests gone, the account's session still live.
    expect(await store.nicksStartingWith('bo', 10)).toEqual(['bobcat']);
    expect(await store.find('bob')).toBeUndefined();
    expect((await store.find('bobcat'))?.nick).toBe('bobcat');
  });

  it('keeps a profile edit, seen through every session of the user', async () => {
    const { store } = await storeOn(backend);
    const dana = opened(await store.createAccount('dana', await hashPassword('p'.repeat(8))));
    const other = opened(await store.openFor(dana.user));
    const edited = await store.editProfile(dana.user, { status: 'away', bio: 'line one\nline two' });
    expect(edited).toMatchObject({ nick: 'dana', status: 'away', bio: 'line one\nline two' });
    expect((await store.touch(other.token))?.user).toMatchObject({ status: 'away', bio: 'line one\nline two' });
    expect((await store.find('dana'))?.status).toBe('away');
  });

  it('binds an external identity to one account, numbering its nick when the one it wants is taken', async () => {
    const { store } = await storeOn(backend);
    opened(await store.openGuest('erin'));
    const first = await store.externalAccount('https://id.example', 'sub-1', 'erin');
    expect(first).toMatchObject({ nick: 'erin-2', guest: false });
    expect((await store.externalAccount('https://id.example', 'sub-1', 'someone else')).id).toBe(first.id);
    expect((await store.externalAccount('https://id.example', 'sub-2', 'Érin Smith!')).nick).toBe('_rin_Smith_');
    expect((await store.credentials('erin-2'))?.password).toBeUndefined();
  });

  it('refuses sessions beyond maxSessions, making room by ending the expired ones first', async () => {
    const { store, clock } = await storeOn(backend);
    store.configure({ maxSessions: 2 });
    opened(await store.openGuest('one'));
    opened(await store.openGuest('two'));
    expect(await store.openGuest('three')).toBe('full');
    clock.advance(10 * MINUTE);
    opened(await store.openGuest('three'));
  });

  it('hands out one-time codes: each works once, within its time, and no more than the limit are out', async () => {
    const { store, clock } = await storeOn(backend);
    const user = await store.externalAccount('https://id.example', 'sub', 'fay');
    const code = await store.grant(user, MINUTE, 2);
    expect((await store.redeem(code))?.id).toBe(user.id);
    expect(await store.redeem(code)).toBeUndefined();
    const late = await store.grant(user, MINUTE, 2);
    await store.grant(user, MINUTE, 2);
    expect(await store.grant(user, MINUTE, 2)).toBe('full');
    clock.advance(MINUTE);
    expect(await store.redeem(late)).toBeUndefined();
    expect(await store.grant(user, MINUTE, 2)).not.toBe('full');
    expect(await store.redeem('never-handed-out')).toBeUndefined();
  });
});

describeRedis('RedisSessionStore on several nodes', (redis) => {
  /** twoNodes opens two nodes' session stores on one key space, on one manual clock. */
  async function twoNodes(): Promise<{ a: SessionStore; b: SessionStore; clock: ManualClock }> {
    const clock = new ManualClock();
    const env = redis.env();
    const [a, b] = await Promise.all([redis.storesOn(env, clock.now), redis.storesOn(env, clock.now)]);
    return { a: a.sessions, b: b.sessions, clock };
  }

  it('trusts a session Redis confirmed a moment ago without asking again, marking its use all the same', async () => {
    const { a, b, clock } = await twoNodes();
    const guest = opened(await a.openGuest('tess'));
    expect((await b.touch(guest.token))?.user.nick).toBe('tess');
    clock.advance(999);
    // Answered from the node's memory: no round trip for the request to wait for.
    expect(b.touch(guest.token)).toMatchObject({ token: guest.token, user: { nick: 'tess' } });
    // The use was marked in Redis behind it: the session lives its idle time from this use, not from the first.
    clock.advance(10 * MINUTE - 500);
    await vi.waitFor(async () => expect(await a.live(guest.token)).toBeDefined());
    // Past its moment, it is asked for again.
    clock.advance(1);
    const asked = b.touch(guest.token);
    expect(asked).toBeInstanceOf(Promise);
    expect((await asked)?.user.nick).toBe('tess');
  });

  // The time an event takes from Redis to a node on loopback, with a wide margin: a client told of an end takes longer to reach another node.
  const eventArrives = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 50));

  it('forgets a session the moment any node ends it: closed, closed as another, or expired', async () => {
    const { a, b, clock } = await twoNodes();
    /** trusted has b answer a token's session from its memory, as the end it is about to hear would otherwise let it. */
    const trusted = async (token: string): Promise<void> => {
      await b.touch(token);
      expect(b.touch(token)).toMatchObject({ token });
    };
    const guest = opened(await a.openGuest('uma'));
    await trusted(guest.token);
    await a.close(guest);
    await eventArrives();
    expect(await b.touch(guest.token)).toBeUndefined();

    const account = opened(await a.createAccount('vera', await hashPassword('correct horse')));
    const other = opened(await a.openFor(account.user));
    await trusted(other.token);
    await a.closeOthers(account);
    await eventArrives();
    expect(await b.touch(other.token)).toBeUndefined();
    expect(await b.touch(account.token)).toBeDefined();

    // The node that ends a session forgets it before its call returns.
    const mine = opened(await b.openGuest('wes'));
    await trusted(mine.token);
    await b.close(mine);
    expect(await b.touch(mine.token)).toBeUndefined();

    const late = opened(await a.openGuest('xan'));
    await trusted(late.token);
    clock.advance(10 * MINUTE);
    await a.sweep();
    await eventArrives();
    expect(await b.touch(late.token)).toBeUndefined();
  });

  it('trusts nothing while it cannot hear the ends (its subscription broke), and again once it hears them', async () => {
    const { a, b } = await twoNodes();
    const guest = opened(await a.openGuest('yara'));
    await b.touch(guest.token);
    expect(b.touch(guest.token)).not.toBeInstanceOf(Promise);
    const admin = new Redis(redis.server().url);
    try {
      // Every subscriber connection breaks; ioredis reconnects them by itself.
      await admin.client('KILL', 'TYPE', 'pubsub');
      await vi.waitFor(() => expect(b.touch(guest.token)).toBeInstanceOf(Promise), { timeout: 2_000, interval: 5 });
      await vi.waitFor(
        async () => {
          await b.touch(guest.token);
          expect(b.touch(guest.token)).not.toBeInstanceOf(Promise);
        },
        { timeout: 5_000, interval: 20 },
      );
      // Heard again: an end on the other node reaches it.
      await a.close(guest);
      await eventArrives();
      expect(await b.touch(guest.token)).toBeUndefined();
    } finally {
      admin.disconnect();
    }
  });

  it('trusts nothing it learnt before Redis lost its data (a new epoch)', async () => {
    const clock = new ManualClock();
    const env = redis.env();
    const node = await redis.storesOn(env, clock.now);
    const guest = opened(await node.sessions.openGuest('zed'));
    await node.sessions.touch(guest.token);
    expect(node.sessions.touch(guest.token)).not.toBeInstanceOf(Promise);
    const admin = new Redis(redis.server().url);
    try {
      await admin.flushall();
    } finally {
      admin.disconnect();
    }
    // The node learns of the loss at its next call to the message store.
    await node.messages.read('lobby', 0, 10);
    expect(await node.sessions.touch(guest.token)).toBeUndefined();
  });
});
