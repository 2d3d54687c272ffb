interface Stay {
  /** When the user became present (ms since the epoch). */
  readonly since: number;
  /** Polls the user holds in the room right now. */
  active: number;
  /** When the user's last poll there started or ended. */
  lastSeen: number;
}

/**
 * PresenceMap knows who is in which room: a user is present while holding a
 * poll there, and for `windowMs` after their last poll there started or
 * ended. A user who simply re-polls never stops being present.
 */
export class PresenceMap {
  private readonly rooms = new Map<string, Map<string, Stay>>();
  private readonly roomsOf = new Map<string, Set<string>>();

  constructor(
    public windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** arrive records a poll starting; true when the user was not present before. */
  arrive(room: string, nick: string): boolean {
    const now = this.now();
    let stays = this.rooms.get(room);
    if (stays === undefined) {
      stays = new Map();
      this.rooms.set(room, stays);
    }
    const stay = stays.get(nick);
    if (stay !== undefined) {
      stay.active++;
      stay.lastSeen = now;
      return false;
    }
    stays.set(nick, { since: now, active: 1, lastSeen: now });
    let rooms = this.roomsOf.get(nick);
    if (rooms === undefined) {
      rooms = new Set();
      this.roomsOf.set(nick, rooms);
    }
    rooms.add(room);
    return true;
  }

  /** roomsOfUser counts the rooms a user is present in. */
  roomsOfUser(nick: string): number {
    return this.roomsOf.get(nick)?.size ?? 0;
  }

  /** isIn tells whether a user is present in a room. */
  isIn(room: string, nick: string): boolean {
    return this.rooms.get(room)?.has(nick) ?? false;
  }

  /** pollEnded records a poll being answered or abandoned. */
  pollEnded(room: string, nick: string): void {
    const stay = this.rooms.get(room)?.get(nick);
    if (stay === undefined) return;
    stay.active--;
    stay.lastSeen = this.now();
  }

  /** expire removes the users whose window has passed and returns where they were. */
  expire(): { room: string; nick: string }[] {
    const cutoff = this.now() - this.windowMs;
    const gone: { room: string; nick: string }[] = [];
    for (const [room, stays] of this.rooms) {
      for (const [nick, stay] of stays) if (stay.active <= 0 && stay.lastSeen <= cutoff) gone.push({ room, nick });
    }
    for (const { room, nick } of gone) this.remove(room, nick);
    return gone;
  }

  /** leave removes a user from one room or, without a room, from all; returns the rooms they left. */
  leave(nick: string, room?: string): string[] {
    const rooms = room === undefined ? [...(this.roomsOf.get(nick) ?? [])] : this.rooms.get(room)?.has(nick) ? [room] : [];
    for (const r of rooms) this.remove(r, nick);
    return rooms;
  }

  /** users lists who is present in a room, earliest first. */
  users(room: string): { nick: string; since: number }[] {
    const stays = this.rooms.get(room);
    if (stays === undefined) return [];
    return [...stays].map(([nick, stay]) => ({ nick, since: stay.since })).sort((a, b) => a.since - b.since || (a.nick < b.nick ? -1 : 1));
  }

  count(room: string): number {
    return this.rooms.get(room)?.size ?? 0;
  }

  isOnline(nick: string): boolean {
    return this.roomsOf.has(nick);
  }

  get isEmpty(): boolean {
    return this.rooms.size === 0;
  }

  private remove(room: string, nick: string): void {
    const stays = this.rooms.get(room);
    stays?.delete(nick);
    if (stays?.size === 0) this.rooms.delete(room);
    const rooms = this.roomsOf.get(nick);
    rooms?.delete(room);
    if (rooms?.size === 0) this.roomsOf.delete(nick);
  }
}
