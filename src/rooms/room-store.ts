import type { MaybePromise } from '../util/maybe-promise.ts';
import type { RoomInfo } from '../protocol/membership.ts';

/** Member is a user in a private room: its id, and its nick to list (fixed for the user's life). */
export interface Member {
  readonly user: string;
  readonly nick: string;
}

/** RoomLimits bound the private rooms (PROTOCOL.md, Limits). */
export interface RoomLimits {
  /** Private rooms at once. */
  readonly maxRooms: number;
  /** Members of one private room. */
  readonly maxMembers: number;
  /** Private rooms one user may be a member of. */
  readonly maxMemberships: number;
}

/** Access is what a user is to a room: it is public, or private and the user is a member, or not. */
export type Access = 'public' | 'member' | 'outsider';

export type Created =
  | { readonly kind: 'created' | 'existing'; readonly info: RoomInfo }
  /** A private room has that name already. */
  | { readonly kind: 'taken' }
  /** The name is or was a public room. */
  | { readonly kind: 'was-public' }
  | { readonly kind: 'too-many-members' }
  /** `nick` is a member of as many private rooms as one may be. */
  | { readonly kind: 'memberships'; readonly nick: string }
  | { readonly kind: 'room-limit' };

export type Invited =
  | { readonly kind: 'invited'; readonly info: RoomInfo }
  | { readonly kind: 'not-private' }
  | { readonly kind: 'outsider' }
  | { readonly kind: 'full' }
  | { readonly kind: 'memberships'; readonly nick: string };

export type Left =
  | { readonly kind: 'left'; readonly info: RoomInfo }
  /** That was its last member: the room is deleted, with its history. */
  | { readonly kind: 'deleted' }
  | { readonly kind: 'public' }
  | { readonly kind: 'outsider' };

/**
 * RoomStore knows the private rooms and their members (users, not nicks: a
 * nick claimed later inherits nothing), and which names are or were public
 * in this epoch, so that no private room takes over a public room's name or
 * history. Each change is one atomic step with its checks: two nodes
 * creating the same room at once cannot both succeed. Two back-ends keep
 * it, memory and Redis; one contract suite runs over both.
 */
export interface RoomStore {
  configure(limits: Partial<RoomLimits>): void;
  /**
   * access tells what `user` (undefined: no session) is to a room, and notes
   * a public room in use: `posted` to (always kept), or `polled` (kept while
   * there is room).
   */
  access(room: string, user: string | undefined, use: 'posted' | 'polled' | undefined): MaybePromise<Access>;
  /** create opens a private room for `members` (its creator first), drawing a name when none is given; two people without a name get their direct room back. */
  create(name: string | undefined, members: readonly Member[]): MaybePromise<Created>;
  /** invite adds `member` to a private room on behalf of `by`, a member. */
  invite(name: string, by: string, member: Member): MaybePromise<Invited>;
  /** leave takes a user out of a room; the last member out deletes it. */
  leave(name: string, user: string): MaybePromise<Left>;
  /** forget takes a user out of every room (a guest whose session ended); it gives the rooms deleted for want of members. */
  forget(user: string): MaybePromise<string[]>;
  /** privateOf lists the private rooms a user is a member of, by name. */
  privateOf(user: string | undefined): MaybePromise<RoomInfo[]>;
  /** hidden tells which of `names` are private rooms: a listing of public rooms leaves them out. */
  hidden(names: readonly string[]): MaybePromise<ReadonlySet<string>>;
}
