import { customAlphabet } from 'nanoid';
import type { RoomInfo } from '../protocol/membership.ts';
import type { Access, Created, Invited, Left, Member, RoomLimits, RoomStore } from './room-store.ts';

// Room names are lower-case: PROTOCOL.md's ^[a-z0-9][a-z0-9_-]{0,63}$.
const drawName = customAlphabet('0123456789abcdefghijklmnopqrstuvwxyz', 12);

/** drawRoomName makes a name for a private room made without one. */
export function drawRoomName(): string {
  return `room-${drawName()}`;
}

interface PrivateRoom {
  readonly name: string;
  /** By user id. */
  readonly members: Map<string, string>;
  /** Made without a name for two people: what "message bob" finds again. */
  readonly direct: boolean;
  /** The members' nicks, sorted, made once per change rather than once per listing. */
  listed: readonly string[] | undefined;
}

// The room every client polls by default is never up for grabs.
const RESERVED = ['lobby'];

export const DEFAULT_ROOM_LIMITS: RoomLimits = Object.freeze({ maxRooms: 10_000, maxMembers: 100, maxMemberships: 200 });

/** MemoryRoomStore keeps the private rooms in this process: they are gone when it stops. It answers at once. */
export class MemoryRoomStore implements RoomStore {
  private readonly rooms = new Map<string, PrivateRoom>();
  private readonly roomsOf = new Map<string, Set<string>>();
  // Names posted to in this epoch: kept whatever their number, since they
  // have history (posts are rate-limited, so they grow slowly).
  private readonly posted = new Set<string>(RESERVED);
  // Names only polled: someone is watching them, but they hold nothing; at most maxRooms.
  private readonly polled = new Set<string>();
  private limits: RoomLimits = DEFAULT_ROOM_LIMITS;

  configure(limits: Partial<RoomLimits>): void {
    this.limits = { ...this.limits, ...limits };
  }

  access(name: string, user: string | undefined, use: 'posted' | 'polled' | undefined): Access {
    const room = this.rooms.get(name);
    if (room !== undefined) return user !== undefined && room.members.has(user) ? 'member' : 'outsider';
    if (use === 'posted') this.posted.add(name);
    else if (use === 'polled' && this.polled.size < this.limits.maxRooms) this.polled.add(name);
    return 'public';
  }

  create(name: string | undefined, members: readonly Member[]): Created {
    if (name !== undefined && this.rooms.has(name)) return { kind: 'taken' };
    if (name !== undefined && this.wasPublic(name)) return { kind: 'was-public' };
    const [me, other] = members;
    if (name === undefined && members.length === 2 && me !== undefined && other !== undefined) {
      const existing = this.direct(me.user, other.user);
      if (existing !== undefined) return { kind: 'existing', info: existing };
    }
    if (members.length > this.limits.maxMembers) return { kind: 'too-many-members' };
    const busy = members.find(({ user }) => (this.roomsOf.get(user)?.size ?? 0) >= this.limits.maxMemberships);
    if (busy !== undefined) return { kind: 'memberships', nick: busy.nick };
    if (this.rooms.size >= this.limits.maxRooms) return { kind: 'room-limit' };
    let chosen = name ?? drawRoomName();
    while (name === undefined && (this.rooms.has(chosen) || this.wasPublic(chosen))) chosen = drawRoomName();
    const room: PrivateRoom = { name: chosen, members: new Map(), direct: name === undefined && members.length === 2, listed: undefined };
    this.rooms.set(chosen, room);
    for (const member of members) this.add(room, member);
    return { kind: 'created', info: this.info(room) };
  }

  invite(name: string, by: string, member: Member): Invited {
    const room = this.rooms.get(name);
    if (room === undefined) return { kind: 'not-private' };
    if (!room.members.has(by)) return { kind: 'outsider' };
    if (room.members.has(member.user)) return { kind: 'invited', info: this.info(room) };
    if (room.members.size >= this.limits.maxMembers) return { kind: 'full' };
    if ((this.roomsOf.get(member.user)?.size ?? 0) >= this.limits.maxMemberships) return { kind: 'memberships', nick: member.nick };
    this.add(room, member);
    return { kind: 'invited', info: this.info(room) };
  }

  leave(name: string, user: string): Left {
    const room = this.rooms.get(name);
    if (room === undefined) return { kind: 'public' };
    if (!room.members.delete(user)) return { kind: 'outsider' };
    room.listed = undefined;
    const names = this.roomsOf.get(user);
    names?.delete(name);
    if (names?.size === 0) this.roomsOf.delete(user);
    if (room.members.size > 0) return { kind: 'left', info: this.info(room) };
    this.rooms.delete(name);
    return { kind: 'deleted' };
  }

  forget(user: string): string[] {
    return [...(this.roomsOf.get(user) ?? [])].filter((name) => this.leave(name, user).kind === 'deleted');
  }

  privateOf(user: string | undefined): RoomInfo[] {
    if (user === undefined) return [];
    return [...(this.roomsOf.get(user) ?? [])].sort().map((name) => this.info(this.rooms.get(name) as PrivateRoom));
  }

  hidden(names: readonly string[]): ReadonlySet<string> {
    return new Set(names.filter((name) => this.rooms.has(name)));
  }

  /** wasPublic tells whether a name is or was a public room in this epoch. */
  private wasPublic(name: string): boolean {
    return this.posted.has(name) || this.polled.has(name);
  }

  /** direct finds the direct conversation of exactly these two users, if they have one. */
  private direct(a: string, b: string): RoomInfo | undefined {
    for (const name of this.roomsOf.get(a) ?? []) {
      const room = this.rooms.get(name);
      if (room?.direct === true && room.members.size === 2 && room.members.has(b)) return this.info(room);
    }
    return undefined;
  }

  private info(room: PrivateRoom): RoomInfo {
    room.listed ??= Object.freeze([...room.members.values()].sort());
    return { name: room.name, private: true, members: room.listed };
  }

  private add(room: PrivateRoom, { user, nick }: Member): void {
    room.members.set(user, nick);
    room.listed = undefined;
    let names = this.roomsOf.get(user);
    if (names === undefined) {
      names = new Set();
      this.roomsOf.set(user, names);
    }
    names.add(room.name);
  }
}
