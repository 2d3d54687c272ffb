import { expect, it } from 'vitest';
import type { PresenceStore } from '../../src/presence/presence-store.ts';
import { describeBackends, describeRedis, type Backend } from '../helpers/backends.ts';
import { ManualClock } from '../helpers/clock.ts';

const WINDOW = 35_000;

async function storeOn(backend: Backend): Promise<{ present: PresenceStore; clock: ManualClock }> {
  const clock = new ManualClock();
  const { presence: present } = await backend.stores(clock.now);
  present.configure({ windowMs: WINDOW, maxRoomsPerUser: 2 });
  return { present, clock };
}

describeBackends('PresenceStore contract', (backend) => {
  it('makes a user present at their first poll in a room, and not again while they stay', async () => {
    const { present, clock } = await storeOn(backend);
    expect(await present.arrive('lobby', 'alice')).toBe('joined');
    clock.advance(1_000);
    expect(await present.arrive('lobby', 'bob')).toBe('joined');
    expect(await present.arrive('lobby', 'alice')).toBe('present');
    expect(await present.users('lobby')).toEqual([{ nick: 'alice', since: clock.now() - 1_000 }, { nick: 'bob', since: clock.now() }]);
    expect(await present.counts(['lobby', 'empty'])).toEqual([2, 0]);
    expect(await present.online(['alice', 'carol'])).toEqual([true, false]);
  });

  it('refuses presence in more rooms than a user may be in, answering nothing else differently', async () => {
    const { present } = await storeOn(backend);
    await present.arrive('one', 'alice');
    await present.arrive('two', 'alice');
    expect(await present.arrive('three', 'alice')).toBe('refused');
    expect(await present.counts(['three'])).toEqual([0]);
    expect(await present.arrive('one', 'alice')).toBe('present');
  });

  it('ends a presence a window after the last poll ended, each once, but not while a poll is held', async () => {
    const { present, clock } = await storeOn(backend);
    await present.arrive('lobby', 'alice');
    await present.arrive('lobby', 'bob');
    await present.pollEnded('lobby', 'alice');
    clock.advance(WINDOW - 1);
    expect((await present.expire()).gone).toEqual([]);
    clock.advance(1);
    expect(await present.expire()).toEqual({ gone: [{ room: 'lobby', nick: 'alice' }], empty: false });
    expect((await present.expire()).gone).toEqual([]);
    clock.advance(10 * WINDOW);
    await present.refresh([{ room: 'lobby', nick: 'bob' }]);
    expect((await present.expire()).gone).toEqual([]);
    await present.pollEnded('lobby', 'bob');
    clock.advance(WINDOW);
    expect(await present.expire()).toEqual({ gone: [{ room: 'lobby', nick: 'bob' }], empty: true });
    expect(await present.online(['alice', 'bob'])).toEqual([false, false]);
  });

  it('ends a presence at once when the user leaves a room, or every room', async () => {
    const { present } = await storeOn(backend);
    await present.arrive('one', 'alice');
    await present.arrive('two', 'alice');
    expect(await present.leave('alice', 'one')).toEqual(['one']);
    expect(await present.leave('alice', 'one')).toEqual([]);
    await present.arrive('one', 'alice');
    expect((await present.leave('alice', undefined)).sort()).toEqual(['one', 'two']);
    expect(await present.online(['alice'])).toEqual([false]);
  });
});

describeRedis('RedisPresenceStore: a node that dies while holding polls', (redis) => {
  it('leaves counts that end a window plus the longest poll (60 s) after the last refresh', async () => {
    const { present, clock } = await storeOn(redis);
    await present.arrive('lobby', 'alice');
    clock.advance(WINDOW + 60_000 - 1);
    expect((await present.expire()).gone).toEqual([]);
    clock.advance(1);
    expect((await present.expire()).gone).toEqual([{ room: 'lobby', nick: 'alice' }]);
  });
});
