import type { MaybePromise } from '../util/maybe-promise.ts';

export interface PresenceLimits {
  /** How long a user stays present after their last poll in a room started or ended. */
  readonly windowMs: number;
  /** Rooms a user is present in at once; a poll in one more makes no presence there. */
  readonly maxRoomsPerUser: number;
}

/** Departure is a user no longer present in a room. */
export interface Departure {
  readonly room: string;
  readonly nick: string;
}

/**
 * PresenceStore knows who is in which room: a user is present while holding
 * a poll there, and for a window after their last poll there started or
 * ended. A user who polls through one node and posts through another is one
 * presence. Two back-ends keep it, memory and Redis; one contract suite runs
 * over both.
 */
export interface PresenceStore {
  configure(limits: Partial<PresenceLimits>): void;
  /** arrive records a poll starting: 'joined' when the user was not present there, 'refused' when they are present in as many rooms as one may be. */
  arrive(room: string, nick: string): MaybePromise<'joined' | 'present' | 'refused'>;
  /** pollEnded records a poll being answered or abandoned. */
  pollEnded(room: string, nick: string): MaybePromise<void>;
  /**
   * refresh says this node still holds polls of these users: where several
   * nodes count held polls, a count no node has refreshed for a window plus
   * the longest poll is left behind by a node that died, and ends.
   */
  refresh(holding: readonly Departure[]): MaybePromise<void>;
  /** expire ends the presences whose window has passed, each once whichever node asks, and says whether any presence is left. */
  expire(): MaybePromise<{ readonly gone: readonly Departure[]; readonly empty: boolean }>;
  /** leave ends a user's presence in one room or, without a room, in all; it gives the rooms they left. */
  leave(nick: string, room: string | undefined): MaybePromise<string[]>;
  /** users lists who is present in a room, earliest first (then by nick). */
  users(room: string): MaybePromise<{ nick: string; since: number }[]>;
  /** counts gives how many are present in each room, in the order asked. */
  counts(rooms: readonly string[]): MaybePromise<number[]>;
  /** online tells, for each nick, whether its user is present anywhere. */
  online(nicks: readonly string[]): MaybePromise<boolean[]>;
}
