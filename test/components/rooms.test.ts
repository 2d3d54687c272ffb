import { describe, expect, it } from 'vitest';
import { pollCommand } from '../../components/controller.ts';
import { postCommand } from '../../components/send-controller.ts';
import Rooms from '../../components/rooms.ts';
import type { RoomListing } from '../../src/protocol/membership.ts';
import type { Reply, SessionRef } from '../../src/protocol/packets.ts';
import { harness } from '../helpers/component-harness.ts';
import { fakeRequest } from '../helpers/fake-request.ts';

const as = (nick: string): SessionRef => ({ nick, token: `token-of-${nick}` });

async function withRoom() {
  const rooms = harness(Rooms);
  await rooms.send('manage', fakeRequest({ method: 'POST', path: '/gochat/chat/rooms', session: as('alice'), body: { name: 'ops', private: true, members: ['bob'] } }));
  return rooms;
}

describe('Rooms', () => {
  it('creates a private room and sends the answer on to be completed', async () => {
    const rooms = await withRoom();
    const listing = rooms.sent.listing?.[0] as RoomListing;
    expect(listing).toMatchObject({ kind: 'one', status: 201, rooms: [{ name: 'ops', private: true, members: ['alice', 'bob'] }] });
    expect([...listing.hidden]).toEqual(['ops']);
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
    await rooms.send('manage', fakeRequest({ method: 'POST', path: '/gochat/chat/rooms/ops/leave', params: { room: 'ops' }, session: as('bob') }));
    expect(rooms.sent.departed).toEqual([{ nick: 'bob', room: 'ops' }]);
    expect((rooms.sent.listing?.at(-1) as RoomListing).rooms[0]?.members).toEqual(['alice']);
  });

  it('refuses a private room beyond maxRooms with ROOM_LIMIT', async () => {
    const rooms = harness(Rooms);
    await rooms.send('maxRooms', 1);
    for (const name of ['a', 'b']) {
      await rooms.send('manage', fakeRequest({ method: 'POST', session: as('alice'), body: { name, private: true } }));
    }
    expect(rooms.sent.reply?.[0]).toMatchObject({ status: 503, body: { error: { code: 'ROOM_LIMIT' } } });
  });
});
