interface Stay {
  /** When the user became present (ms since the epoch). */
  readonly since: number;
  /** Polls the user holds in the room right now. */
  active: number;
  /** When the user's last poll there started or ended. */
  lastSeen: number;
}

import type { Departure, PresenceLimits, PresenceStore } from './presence-store.ts';

/**
 * PresenceMap knows who is in which room: a user is present while holding a
 * poll there, and for `windowMs` after their last poll there started or
 * ended. A user who simply re-polls never stops being present. It is the
 * in-memory PresenceStore: it answers at once.
 */
export class PresenceMap implements PresenceStore {
  private readonly rooms = new Map<string, Map<string, Stay>>();
  private readonly roomsOf = new Map<string, Set<string>>();
  private limits: PresenceLimits = { windowMs: 35_000, maxRoomsPerUser: 20 };

  constructor(private readonly now: () => number = Date.now) {}

  configure(limits: Partial<PresenceLimits>): void {
    this.limits = { ...this.limits, ...limits };
  }

  arrive(room: string, nick: string): 'joined' | 'present' | 'refused' {
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
      return 'present';
    }
    if ((this.roomsOf.get(nick)?.size ?? 0) >= this.limits.maxRoomsPerUser) {
      if (stays.size === 0) this.rooms.delete(room);
      return 'refused';
    }
    stays.set(nick, { since: now, active: 1, lastSeen: now });
    let rooms = this.roomsOf.get(nick);
    if (rooms === undefined) {
      rooms = new Set();
      this.roomsOf.set(nick, rooms);
    }
    rooms.add(room);
    return 'joined';
  }

  pollEnded(room: string, nick: string): void {
    const stay = this.rooms.get(room)?.get(nick);
    if (stay === undefined) return;
    stay.active--;
    stay.lastSeen = this.now();
  }

  refresh(): void {
    // One process counts every held poll exactly: nothing can be left behind.
  }

  expire(): { gone: Departure[]; empty: boolean } {
    const cutoff = this.now() - this.limits.windowMs;
    const gone: Departure[] = [];
    for (const [room, stays] of this.rooms) {
      for (const [nick, stay] of stays) if (stay.active <= 0 && stay.lastSeen <= cutoff) gone.push({ room, nick });
    }
    for (const { room, nick } of gone) this.remove(room, nick);
    return { gone, empty: this.rooms.size === 0 };
  }

  leave(nick: string, room: string | undefined): string[] {
    const rooms = room === undefined ? [...(this.roomsOf.get(nick) ?? [])] : this.rooms.get(room)?.has(nick) ? [room] : [];
    for (const r of rooms) this.remove(r, nick);
    return rooms;
  }

  users(room: string): { nick: string; since: number }[] {
    const stays = this.rooms.get(room);
    if (stays === undefined) return [];
    return [...stays].map(([nick, stay]) => ({ nick, since: stay.since })).sort((a, b) => a.since - b.since || (a.nick < b.nick ? -1 : 1));
  }

  counts(rooms: readonly string[]): number[] {
    return rooms.map((room) => this.rooms.get(room)?.size ?? 0);
  }

  online(nicks: readonly string[]): boolean[] {
    return nicks.map((nick) => this.roomsOf.has(nick));
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
