import { describe, expect, it } from 'vitest';
import { pollCommand } from '../../components/controller.ts';
import { postCommand } from '../../components/send-controller.ts';
import Rooms from '../../components/rooms.ts';
import type { RoomCommand, RoomListing } from '../../src/protocol/membership.ts';
import type { Reply, SessionRef } from '../../src/protocol/packets.ts';
import { harness } from '../helpers/component-harness.ts';
import { fakeRequest } from '../helpers/fake-request.ts';

const as = (nick: string, guest = false): SessionRef => ({ nick, token: `token-of-${nick}`, user: `u_${nick}`, guest });

/** command is a request to B/rooms as Session passes it on: the people it names found, or not (`ghost` is nobody). */
const command = (options: Parameters<typeof fakeRequest>[0], people: string[] = []): RoomCommand => ({
  request: fakeRequest(options),
  people: people.map((nick) => ({ nick, user: nick === 'ghost' ? undefined : `u_${nick}` })),
});

async function withRoom() {
  const rooms = harness(Rooms);
  await rooms.send('manage', command({ method: 'POST', path: '/gochat/chat/rooms', session: as('alice'), body: { name: 'ops', private: true, members: ['bob'] } }, ['bob']));
  return rooms;
}

describe('Rooms', () => {
  it('creates a private room and sends the answer on to be completed', async () => {
    const rooms = await withRoom();
    const listing = rooms.sent.listing?.[0] as RoomListing;
    expect(listing).toMatchObject({ kind: 'one', status: 201, rooms: [{ name: 'ops', private: true, members: ['alice', 'bob'] }] });
    expect([...(await listing.hidden(['ops', 'lobby']))]).toEqual(['ops']);
  });

  it('lets members poll a private room and refuses others', async () => {
    const rooms = await withRoom();
    for (const session of [as('bob'), as('carol'), undefined]) {
      await rooms.send('poll', pollCommand(fakeRequest({ query: { room: 'ops' }, ...(session ? { session } : {}) })));
    }
    expect(rooms.sent.poll).toHaveLength(1);
    expect(rooms.sent.reply?.map((r) => (r as { status: number }).status)).toEqual([403, 401]);
  });

  it('refuses a post marked private to a room that is not private, and clears the mark for one that is', async () => {
    const rooms = await withRoom();
    const marked = (room: string) => postCommand(fakeRequest({ method: 'POST', session: as('bob'), body: { text: 'psst', room, private: true } }), { maxText: 4000, sessionRequired: true });
    await rooms.send('post', marked('lobby'));
    await rooms.send('post', marked('ops'));
    expect(rooms.sent.reply?.map((r) => (r as Reply).status)).toEqual([404]);
    expect(rooms.sent.post).toEqual([expect.objectContaining({ room: 'ops', mustBePrivate: false })]);
  });

  it('passes public rooms through untouched', async () => {
    const rooms = await withRoom();
    await rooms.send('poll', pollCommand(fakeRequest({ query: { room: 'lobby' } })));
    expect(rooms.sent.poll).toHaveLength(1);
  });

  it('announces a member leaving', async () => {
    const rooms = await withRoom();
    await rooms.send('manage', command({ method: 'POST', path: '/gochat/chat/rooms/ops/leave', params: { room: 'ops' }, session: as('bob') }));
    expect(rooms.sent.departed).toEqual([{ nick: 'bob', room: 'ops' }]);
    expect((rooms.sent.listing?.at(-1) as RoomListing).rooms[0]?.members).toEqual(['alice']);
  });

  it('refuses a private room beyond maxRooms with ROOM_LIMIT', async () => {
    const rooms = harness(Rooms);
    await rooms.send('maxRooms', 1);
    for (const name of ['a', 'b']) {
      await rooms.send('manage', command({ method: 'POST', session: as('alice'), body: { name, private: true } }));
    }
    expect(rooms.sent.reply?.[0]).toMatchObject({ status: 503, body: { error: { code: 'ROOM_LIMIT' } } });
  });

  it('refuses to make a room with, or invite, a nick nobody holds, changing nothing', async () => {
    const rooms = await withRoom();
    await rooms.send('manage', command({ method: 'POST', path: '/gochat/chat/rooms', session: as('alice'), body: { name: 'x1', private: true, members: ['bob', 'ghost'] } }, ['bob', 'ghost']));
    await rooms.send('manage', command({ method: 'POST', path: '/gochat/chat/rooms/ops/invite', params: { room: 'ops' }, session: as('alice'), body: { nick: 'ghost' } }, ['ghost']));
    expect(rooms.sent.reply?.map((r) => (r as Reply).body)).toEqual([
      { error: { code: 'NOT_FOUND', message: expect.stringContaining('"ghost"') } },
      { error: { code: 'NOT_FOUND', message: expect.stringContaining('"ghost"') } },
    ]);
    await rooms.send('manage', command({ method: 'GET', path: '/gochat/chat/rooms', session: as('alice') }));
    expect((rooms.sent.listing?.at(-1) as RoomListing).rooms).toEqual([{ name: 'ops', private: true, members: ['alice', 'bob'] }]);
  });

  it('deletes a private room when its last member leaves, and has Storage forget it', async () => {
    const rooms = await withRoom();
    for (const nick of ['bob', 'alice']) {
      await rooms.send('manage', command({ method: 'POST', path: '/gochat/chat/rooms/ops/leave', params: { room: 'ops' }, session: as(nick) }));
    }
    expect(rooms.sent.forget).toEqual(['ops']);
    await rooms.send('poll', pollCommand(fakeRequest({ query: { room: 'ops' } })));
    expect(rooms.sent.poll).toHaveLength(1);
  });

  it('ends a guest\'s memberships with its session, deleting the rooms it leaves empty; an account keeps its own', async () => {
    const rooms = harness(Rooms);
    await rooms.send('manage', command({ method: 'POST', session: as('gus', true), body: { name: 'alone', private: true } }));
    await rooms.send('manage', command({ method: 'POST', session: as('gus', true), body: { name: 'shared', private: true, members: ['ann'] } }, ['ann']));
    await rooms.send('ended', { nick: 'ann', user: 'u_ann', guest: false, userGone: true });
    await rooms.send('ended', { nick: 'gus', user: 'u_gus', guest: true, userGone: true });
    expect(rooms.sent.forget).toEqual(['alone']);
    expect(rooms.sent.departed).toEqual([{ nick: 'ann' }, { nick: 'gus' }]);
    await rooms.send('manage', command({ method: 'GET', path: '/gochat/chat/rooms', session: as('ann') }));
    expect((rooms.sent.listing?.at(-1) as RoomListing).rooms).toEqual([{ name: 'shared', private: true, members: ['ann'] }]);
  });

  it('refuses ROOM_TAKEN for a private room named as a room that was public, however many there have been', async () => {
    const rooms = harness(Rooms);
    await rooms.send('maxRooms', 1);
    for (const room of ['one', 'two', 'three']) {
      await rooms.send('post', postCommand(fakeRequest({ method: 'POST', body: { author: 'a', text: 'x', room } }), { maxText: 4000, sessionRequired: false }));
    }
    await rooms.send('manage', command({ method: 'POST', session: as('alice'), body: { name: 'three', private: true } }));
    expect(rooms.sent.reply?.at(-1)).toMatchObject({ status: 409, body: { error: { code: 'ROOM_TAKEN' } } });
  });
});
