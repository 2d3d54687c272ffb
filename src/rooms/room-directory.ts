import { customAlphabet } from 'nanoid';
import type { RoomInfo } from '../protocol/membership.ts';

// Room names are lower-case: PROTOCOL.md's ^[a-z0-9][a-z0-9_-]{0,63}$.
const drawName = customAlphabet('0123456789abcdefghijklmnopqrstuvwxyz', 12);

interface PrivateRoom {
  readonly name: string;
  readonly members: Set<string>;
  /** Made without a name for two people: what "message bob" finds again. */
  readonly direct: boolean;
}

// The room every client polls by default is never up for grabs.
const RESERVED = ['lobby'];

/**
 * RoomDirectory knows the private rooms and their members, and the public
 * rooms that have been used (posted to or polled), so no private room can
 * take over a public room or its history. A private room is kept after its last member leaves: its
 * messages stay in Storage, and reusing its name would hand them to strangers.
 */
export class RoomDirectory {
  private readonly rooms = new Map<string, PrivateRoom>();
  private readonly used = new Set<string>(RESERVED);

  constructor(public maxRooms: number) {}

  isPrivate(name: string): boolean {
    return this.rooms.has(name);
  }

  isMember(name: string, nick: string): boolean {
    return this.rooms.get(name)?.members.has(nick) ?? false;
  }

  /** notePublic remembers a public room in use: posted to or polled. */
  notePublic(name: string): void {
    if (!this.rooms.has(name) && this.used.size < this.maxRooms) this.used.add(name);
  }

  /** isTaken tells whether a name already belongs to a room. */
  isTaken(name: string): boolean {
    return this.rooms.has(name) || this.used.has(name);
  }

  get full(): boolean {
    return this.rooms.size >= this.maxRooms;
  }

  /** create opens a private room, drawing a name when none is given; the caller checks a given name is free. */
  create(name: string | undefined, members: Iterable<string>): RoomInfo {
    let chosen = name ?? `room-${drawName()}`;
    while (name === undefined && this.isTaken(chosen)) chosen = `room-${drawName()}`;
    const set = new Set(members);
    this.rooms.set(chosen, { name: chosen, members: set, direct: name === undefined && set.size === 2 });
    return this.info(chosen) as RoomInfo;
  }

  /** direct finds the direct conversation of exactly these two people, if they have one. */
  direct(a: string, b: string): RoomInfo | undefined {
    for (const room of this.rooms.values()) {
      if (room.direct && room.members.size === 2 && room.members.has(a) && room.members.has(b)) return this.info(room.name);
    }
    return undefined;
  }

  invite(name: string, nick: string): RoomInfo | undefined {
    this.rooms.get(name)?.members.add(nick);
    return this.info(name);
  }

  leave(name: string, nick: string): RoomInfo | undefined {
    this.rooms.get(name)?.members.delete(nick);
    return this.info(name);
  }

  /** privateOf lists the private rooms a nick is a member of. */
  privateOf(nick: string | undefined): RoomInfo[] {
    if (nick === undefined) return [];
    return [...this.rooms.values()].filter((r) => r.members.has(nick)).map((r) => this.info(r.name) as RoomInfo);
  }

  get privateNames(): ReadonlySet<string> {
    return new Set(this.rooms.keys());
  }

  info(name: string): RoomInfo | undefined {
    const room = this.rooms.get(name);
    return room === undefined ? undefined : { name, private: true, members: [...room.members].sort() };
  }
}
