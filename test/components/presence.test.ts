import { afterEach, describe, expect, it, vi } from 'vitest';
import { pollCommand } from '../../components/controller.ts';
import Presence from '../../components/presence.ts';
import type { Reply } from '../../src/protocol/packets.ts';
import { harness } from '../helpers/component-harness.ts';
import { fakeRequest } from '../helpers/fake-request.ts';

const poll = (nick: string | undefined, room = 'lobby') =>
  pollCommand(fakeRequest({ query: { room }, ...(nick ? { session: { nick, token: `t-${nick}`, user: `u_${nick}`, guest: false } } : {}) }));

afterEach(() => {
  vi.useRealTimers();
});

describe('Presence', () => {
  it('announces a join the first time a user polls a room, then passes the poll on', async () => {
    const presence = harness(Presence);
    await presence.send('poll', poll('alice'));
    await presence.send('poll', poll('alice'));
    await presence.send('poll', poll(undefined));
    expect(presence.sent.events).toEqual([{ room: 'lobby', nick: 'alice', type: 'join' }]);
    expect(presence.sent.poll).toHaveLength(3);
    await presence.stop();
  });

  it('announces a leave once the window passes after the last poll ended', async () => {
    vi.useFakeTimers();
    const presence = harness(Presence);
    await presence.send('windowMs', 5_000);
    const command = poll('bob');
    await presence.send('poll', command);
    vi.advanceTimersByTime(10_000);
    expect(presence.sent.events).toHaveLength(1); // still holding its poll
    command.request.respond(200, {});
    vi.advanceTimersByTime(4_000);
    expect(presence.sent.events).toHaveLength(1);
    vi.advanceTimersByTime(2_000);
    expect(presence.sent.events?.at(-1)).toEqual({ room: 'lobby', nick: 'bob', type: 'leave' });
    await presence.stop();
  });

  it('announces a leave in every room when a user departs', async () => {
    const presence = harness(Presence);
    await presence.send('poll', poll('carol', 'a'));
    await presence.send('poll', poll('carol', 'b'));
    await presence.send('departed', { nick: 'carol' });
    expect(presence.sent.events?.slice(2)).toEqual([
      { room: 'a', nick: 'carol', type: 'leave' },
      { room: 'b', nick: 'carol', type: 'leave' },
    ]);
    await presence.stop();
  });

  it('answers who is in a room and who is online', async () => {
    const presence = harness(Presence);
    await presence.send('poll', poll('dan'));
    await presence.send('users', { request: fakeRequest(), kind: 'room', room: 'lobby' });
    await presence.send('users', { request: fakeRequest(), kind: 'search', nicks: ['dan', 'eve'] });
    const [room, search] = presence.sent.reply as Reply[];
    expect(room?.body).toEqual({ room: 'lobby', users: [{ nick: 'dan', since: expect.any(Number) }] });
    expect(search?.body).toEqual({ users: [{ nick: 'dan', online: true }, { nick: 'eve', online: false }] });
    await presence.stop();
  });
});
