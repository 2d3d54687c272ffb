import { customAlphabet } from 'nanoid';
import type { RoomInfo } from '../protocol/membership.ts';

// Room names are lower-case: PROTOCOL.md's ^[a-z0-9][a-z0-9_-]{0,63}$.
const drawName = customAlphabet('0123456789abcdefghijklmnopqrstuvwxyz', 12);

/** Member is a user in a private room: its id, and its nick to list (fixed for the user's life). */
export interface Member {
  readonly user: string;
  readonly nick: string;
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

/**
 * RoomDirectory knows the private rooms and their members (users, not
 * nicks: a nick claimed later inherits nothing), and which names are or
 * were public in this epoch, so that no private room takes over a public
 * room's name or history. A private room whose last member leaves is
 * deleted; its name is free again.
 */
export class RoomDirectory {
  private readonly rooms = new Map<string, PrivateRoom>();
  private readonly roomsOf = new Map<string, Set<string>>();
  // Names posted to in this epoch: kept whatever their number, since they
  // have history (posts are rate-limited, so they grow slowly).
  private readonly posted = new Set<string>(RESERVED);
  // Names only polled: someone is watching them, but they hold nothing; at most maxRooms.
  private readonly polled = new Set<string>();

  constructor(public maxRooms: number) {}

  isPrivate(name: string): boolean {
    return this.rooms.has(name);
  }

  /** size counts a private room's members (0 for no such room). */
  size(name: string): number {
    return this.rooms.get(name)?.members.size ?? 0;
  }

  isMember(name: string, user: string): boolean {
    return this.rooms.get(name)?.members.has(user) ?? false;
  }

  /** notePublic remembers a public room in use: `posted` to (always), or polled (while there is room). */
  notePublic(name: string, posted: boolean): void {
    if (this.rooms.has(name)) return;
    if (posted) this.posted.add(name);
    else if (this.polled.size < this.maxRooms) this.polled.add(name);
  }

  /** wasPublic tells whether a name is or was a public room in this epoch. */
  wasPublic(name: string): boolean {
    return this.posted.has(name) || this.polled.has(name);
  }

  get full(): boolean {
    return this.rooms.size >= this.maxRooms;
  }

  /** create opens a private room, drawing a name when none is given; the caller checks a given name is free. */
  create(name: string | undefined, members: readonly Member[]): RoomInfo {
    let chosen = name ?? `room-${drawName()}`;
    while (name === undefined && (this.rooms.has(chosen) || this.wasPublic(chosen))) chosen = `room-${drawName()}`;
    const room: PrivateRoom = { name: chosen, members: new Map(), direct: name === undefined && members.length === 2, listed: undefined };
    this.rooms.set(chosen, room);
    for (const member of members) this.add(room, member);
    return this.info(chosen) as RoomInfo;
  }

  /** direct finds the direct conversation of exactly these two users, if they have one. */
  direct(a: string, b: string): RoomInfo | undefined {
    for (const name of this.roomsOf.get(a) ?? []) {
      const room = this.rooms.get(name);
      if (room?.direct === true && room.members.size === 2 && room.members.has(b)) return this.info(name);
    }
    return undefined;
  }

  invite(name: string, member: Member): RoomInfo | undefined {
    const room = this.rooms.get(name);
    if (room !== undefined) this.add(room, member);
    return this.info(name);
  }

  /** leave takes a user out of a room; 'deleted' when that was its last member. */
  leave(name: string, user: string): RoomInfo | 'deleted' | undefined {
    const room = this.rooms.get(name);
    if (room === undefined) return undefined;
    room.members.delete(user);
    room.listed = undefined;
    this.roomsOf.get(user)?.delete(name);
    if (this.roomsOf.get(user)?.size === 0) this.roomsOf.delete(user);
    if (room.members.size > 0) return this.info(name);
    this.rooms.delete(name);
    return 'deleted';
  }

  /** forget takes a user out of every room (a guest whose session ended); returns the rooms deleted for want of members. */
  forget(user: string): string[] {
    return [...(this.roomsOf.get(user) ?? [])].filter((name) => this.leave(name, user) === 'deleted');
  }

  /** memberships counts the private rooms a user is a member of. */
  memberships(user: string): number {
    return this.roomsOf.get(user)?.size ?? 0;
  }

  /** privateOf lists the private rooms a user is a member of. */
  privateOf(user: string | undefined): RoomInfo[] {
    if (user === undefined) return [];
    return [...(this.roomsOf.get(user) ?? [])].map((name) => this.info(name) as RoomInfo);
  }

  /** privateNames answers "is this name a private room?" as a listing asks it, live, without copying every name. */
  readonly privateNames: { has(name: string): boolean } = { has: (name) => this.rooms.has(name) };

  info(name: string): RoomInfo | undefined {
    const room = this.rooms.get(name);
    if (room === undefined) return undefined;
    room.listed ??= Object.freeze([...room.members.values()].sort());
    return { name, private: true, members: room.listed };
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
