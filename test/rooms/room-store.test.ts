import { expect, it } from 'vitest';
import type { RoomStore } from '../../src/rooms/room-store.ts';
import { describeBackends, type Backend } from '../helpers/backends.ts';

const alice = { user: 'u_alice', nick: 'alice' };
const bob = { user: 'u_bob', nick: 'bob' };
const carol = { user: 'u_carol', nick: 'carol' };

async function storeOn(backend: Backend, limits: { maxRooms?: number; maxMembers?: number; maxMemberships?: number } = {}): Promise<RoomStore> {
  const { rooms } = await backend.stores();
  rooms.configure(limits);
  return rooms;
}

describeBackends('RoomStore contract', (backend) => {
  it('creates a private room that only its members may reach, listing their nicks sorted', async () => {
    const rooms = await storeOn(backend);
    expect(await rooms.create('ops', [carol, alice])).toEqual({ kind: 'created', info: { name: 'ops', private: true, members: ['alice', 'carol'] } });
    expect(await rooms.access('ops', alice.user, 'polled')).toBe('member');
    expect(await rooms.access('ops', bob.user, 'polled')).toBe('outsider');
    expect(await rooms.access('ops', undefined, undefined)).toBe('outsider');
    expect(await rooms.access('elsewhere', bob.user, 'polled')).toBe('public');
    expect(await rooms.privateOf(alice.user)).toEqual([{ name: 'ops', private: true, members: ['alice', 'carol'] }]);
    expect(await rooms.privateOf(bob.user)).toEqual([]);
    expect(await rooms.privateOf(undefined)).toEqual([]);
    expect([...(await rooms.hidden(['lobby', 'ops', 'elsewhere']))]).toEqual(['ops']);
  });

  it('refuses a name a private room has, or a public room has or had (lobby always); draws a free one when none is given', async () => {
    const rooms = await storeOn(backend);
    await rooms.create('ops', [alice]);
    expect(await rooms.create('ops', [bob])).toEqual({ kind: 'taken' });
    expect(await rooms.create('lobby', [bob])).toEqual({ kind: 'was-public' });
    await rooms.access('posted-to', bob.user, 'posted');
    await rooms.access('watched', bob.user, 'polled');
    await rooms.access('only-asked', bob.user, undefined);
    expect(await rooms.create('posted-to', [bob])).toEqual({ kind: 'was-public' });
    expect(await rooms.create('watched', [bob])).toEqual({ kind: 'was-public' });
    expect((await rooms.create('only-asked', [bob])).kind).toBe('created');
    const drawn = await rooms.create(undefined, [alice, bob, carol]);
    expect(drawn).toMatchObject({ kind: 'created', info: { name: expect.stringMatching(/^room-[a-z0-9]{12}$/), members: ['alice', 'bob', 'carol'] } });
  });

  it('gives two people their direct room back when they ask again without a name, but not a named room or a room of three', async () => {
    const rooms = await storeOn(backend);
    await rooms.create('named', [alice, bob]);
    const first = await rooms.create(undefined, [alice, bob]);
    if (first.kind !== 'created') throw new Error(first.kind);
    expect(await rooms.create(undefined, [bob, alice])).toEqual({ kind: 'existing', info: first.info });
    await rooms.invite(first.info.name, alice.user, carol);
    expect((await rooms.create(undefined, [alice, bob])).kind).toBe('created');
  });

  it('keeps its limits: members per room, rooms per member, private rooms in all', async () => {
    const rooms = await storeOn(backend, { maxMembers: 2, maxMemberships: 2, maxRooms: 3 });
    expect(await rooms.create('big', [alice, bob, carol])).toEqual({ kind: 'too-many-members' });
    await rooms.create('one', [alice, bob]);
    expect(await rooms.invite('one', alice.user, carol)).toEqual({ kind: 'full' });
    await rooms.create('two', [alice]);
    expect(await rooms.create('three', [bob, alice])).toEqual({ kind: 'memberships', nick: 'alice' });
    expect(await rooms.invite('two', alice.user, { user: 'u_bob', nick: 'bob' })).toMatchObject({ kind: 'invited' });
    await rooms.create('three', [carol]);
    expect(await rooms.create('four', [{ user: 'u_dan', nick: 'dan' }])).toEqual({ kind: 'room-limit' });
  });

  it('invites only into a private room, on behalf of a member; inviting a member again changes nothing', async () => {
    const rooms = await storeOn(backend);
    await rooms.create('ops', [alice]);
    expect(await rooms.invite('lobby', alice.user, bob)).toEqual({ kind: 'not-private' });
    expect(await rooms.invite('ops', carol.user, bob)).toEqual({ kind: 'outsider' });
    expect(await rooms.invite('ops', alice.user, bob)).toEqual({ kind: 'invited', info: { name: 'ops', private: true, members: ['alice', 'bob'] } });
    expect(await rooms.invite('ops', bob.user, bob)).toEqual({ kind: 'invited', info: { name: 'ops', private: true, members: ['alice', 'bob'] } });
    expect(await rooms.access('ops', bob.user, undefined)).toBe('member');
  });

  it('deletes a private room when its last member leaves, freeing its name; forget takes a user out of every room', async () => {
    const rooms = await storeOn(backend);
    await rooms.create('ops', [alice, bob]);
    await rooms.create('solo', [bob]);
    expect(await rooms.leave('lobby', alice.user)).toEqual({ kind: 'public' });
    expect(await rooms.leave('ops', carol.user)).toEqual({ kind: 'outsider' });
    expect(await rooms.leave('ops', alice.user)).toEqual({ kind: 'left', info: { name: 'ops', private: true, members: ['bob'] } });
    expect(await rooms.access('ops', alice.user, undefined)).toBe('outsider');
    expect((await rooms.forget(bob.user)).sort()).toEqual(['ops', 'solo']);
    expect(await rooms.privateOf(bob.user)).toEqual([]);
    expect(await rooms.access('ops', carol.user, 'polled')).toBe('public');
    expect((await rooms.create('solo', [carol])).kind).toBe('created');
  });
});
