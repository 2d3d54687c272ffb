import type { MaybePromise } from '../util/maybe-promise.ts';
import type { HttpRequest } from './packets.ts';

/**
 * Packets about people: who is in which room, who is online, and queries
 * that collect their answer from several components on the way to the
 * Responder (each fills in what it knows).
 */

/** PresenceEvent asks Storage to append a join or leave message to a room. */
export interface PresenceEvent {
  readonly room: string;
  readonly nick: string;
  readonly type: 'join' | 'leave';
}

/** Departure says a user is gone from one room (or, without a room, from all). */
export interface Departure {
  readonly nick: string;
  readonly room?: string;
}

/** SessionEnd says a session ended, and whether its user went with it (a guest, or an account's last session). */
export interface SessionEnd {
  readonly nick: string;
  readonly user: string;
  readonly guest: boolean;
  readonly userGone: boolean;
}

/** ExternalIdentity is who an OpenID Connect provider says signed in: its issuer, its subject there, and the nick it would like. */
export interface ExternalIdentity {
  readonly request: HttpRequest;
  readonly issuer: string;
  readonly subject: string;
  readonly nick: string | undefined;
}

/** Person is a nick named in a request, with the id of the user who holds it now (undefined: nobody). */
export interface Person {
  readonly nick: string;
  readonly user: string | undefined;
}

/**
 * RoomCommand is a request to B/rooms on its way from Session (through RateLimit) to Rooms:
 * Session has read the nicks it names (`members`, or the invitation's `nick`)
 * and found who holds each; Rooms decides the rest.
 */
export interface RoomCommand {
  readonly request: HttpRequest;
  readonly people: readonly Person[];
}

/** RoomInfo is a room as `GET B/rooms` lists it. */
export interface RoomInfo {
  readonly name: string;
  readonly private: boolean;
  /** Private rooms only. */
  readonly members?: readonly string[];
  lastId?: number;
  /** Messages people posted, join and leave lines left out (an addition to PROTOCOL.md, for unread counts). */
  messages?: number;
  online?: number;
}

/**
 * RoomListing travels Rooms → Storage → Presence: Rooms names the private
 * rooms the caller may see, Storage adds the public rooms and each room's
 * last id, Presence counts who is online in each and answers.
 */
export interface RoomListing {
  readonly request: HttpRequest;
  /** `list` answers {rooms}; `one` answers {room} with the first room, with `status`. */
  readonly kind: 'list' | 'one';
  readonly status: number;
  readonly rooms: RoomInfo[];
  /** Which of some names are private rooms, so none is listed as public. */
  readonly hidden: (names: readonly string[]) => MaybePromise<ReadonlySet<string>>;
}

/** Profile is a user's public profile. */
export interface Profile {
  readonly nick: string;
  readonly status: string;
  readonly bio: string;
  /** One's own profile (GET B/session) also says which user one is, and whether a guest. */
  readonly user?: string;
  readonly guest?: boolean;
}

/**
 * UserQuery travels Session → Rooms → Presence: Session reads the request and
 * fills in nicks and profiles, Rooms checks access to a private room, Presence
 * adds who is online and answers.
 */
export type UserQuery =
  | { readonly request: HttpRequest; readonly kind: 'room'; readonly room: string }
  | { readonly request: HttpRequest; readonly kind: 'search'; readonly nicks: readonly string[] }
  | { readonly request: HttpRequest; readonly kind: 'profile'; readonly profile: Profile };
