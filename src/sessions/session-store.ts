import type { MaybePromise } from '../util/maybe-promise.ts';
import type { Profile, SessionEnd } from '../protocol/membership.ts';
import type { PasswordHash } from './password.ts';

/**
 * User is who owns things: an account (kept for good, with a password) or a
 * guest (alive only as long as its one session). Its id is what private
 * rooms list as members; its nick is fixed for its whole life. A store
 * hands out snapshots: an edit goes through the store.
 */
export interface User {
  readonly id: string;
  readonly nick: string;
  readonly guest: boolean;
  readonly status: string;
  readonly bio: string;
}

/** Session is one signed-in client of a user: a bearer token. */
export interface Session {
  readonly token: string;
  readonly user: User;
}

/** Opened is what opening a session gives: the session, or why not (the nick is someone's; the sessions are at their limit). */
export type Opened = Session | 'taken' | 'full';

export interface SessionLimits {
  /** A guest's session expires after this long without a request carrying its token. */
  readonly idleMs: number;
  /** An account's sessions, likewise (PROTOCOL.md: 30 days). */
  readonly accountIdleMs: number;
  /** Sessions at once; new ones are refused beyond it. */
  readonly maxSessions: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = Object.freeze({ idleMs: 600_000, accountIdleMs: 30 * 24 * 3_600_000, maxSessions: 100_000 });

/**
 * SessionStore is the one store of identities: accounts, guests, their
 * sessions, and the one-time codes an external sign-in hands the page. A
 * nick belongs to an account for good, or to a guest while its session
 * lives. A session ends when it is closed or when its idle time passes,
 * noticed on use or by `sweep`; either way the listeners hear of it once,
 * with whether its user is gone too (a guest, or an account's last session).
 * Two back-ends keep it: memory and Redis; one contract suite runs over both.
 */
export interface SessionStore {
  configure(limits: Partial<SessionLimits>): void;
  /** touch finds the live session of a token and marks it used now. */
  touch(token: string): MaybePromise<Session | undefined>;
  /** live finds the live session of a token without marking it used. */
  live(token: string): MaybePromise<Session | undefined>;
  /** isTaken tells whether a nick belongs to an account or to a guest with a live session. */
  isTaken(nick: string): MaybePromise<boolean>;
  openGuest(nick: string): MaybePromise<Opened>;
  /** createAccount makes an account for `login` and opens its first session. */
  createAccount(login: string, password: PasswordHash): MaybePromise<Opened>;
  /**
   * externalAccount finds the account bound to a provider's issuer and
   * subject, or makes one: its nick is the one the provider suggests, made
   * to fit the nick rule and, if taken, numbered. It has no password.
   */
  externalAccount(issuer: string, subject: string, wanted: string | undefined): MaybePromise<User>;
  /** credentials finds an account by its login, with its password (none for an account of an external sign-in). */
  credentials(login: string): MaybePromise<{ readonly user: User; readonly password: PasswordHash | undefined } | undefined>;
  /** openFor opens another session for an existing account (a log-in). */
  openFor(user: User): MaybePromise<Session | 'full'>;
  /** close ends a session; its user too if that was a guest. */
  close(session: Session): MaybePromise<void>;
  /** closeOthers ends every session of the user but this one (after a password change). */
  closeOthers(session: Session): MaybePromise<void>;
  /** find gives the current user of a nick: an account, or a guest with a live session. */
  find(nick: string): MaybePromise<User | undefined>;
  /** nicksStartingWith lists the nicks with a live session that start with a prefix, sorted, at most `limit`. */
  nicksStartingWith(prefix: string, limit: number): MaybePromise<string[]>;
  /** editProfile sets a user's status and bio, and gives the user as it is now. */
  editProfile(user: User, profile: { readonly status: string; readonly bio: string }): MaybePromise<User>;
  setPassword(user: User, password: PasswordHash): MaybePromise<void>;
  /** sweep ends every expired session. */
  sweep(): MaybePromise<void>;
  /** grant hands out a one-time code for a user, valid `validMs`; 'full' when `max` codes are out already. */
  grant(user: User, validMs: number, max: number): MaybePromise<string | 'full'>;
  /** redeem takes a code back (once): its user if it was handed out and is still valid. */
  redeem(code: string): MaybePromise<User | undefined>;
  /** Tells `listener` of every session that ends from now on; the returned function stops that. */
  subscribe(listener: (ended: SessionEnd) => void): () => void;
}

/** profileOf is the public part of a user. */
export function profileOf(user: User): Profile {
  return { nick: user.nick, status: user.status, bio: user.bio };
}

/** externalNick makes the nick a provider suggests fit the nick rule (PROTOCOL.md: 1 to 32 of A-Z a-z 0-9 _ . -), leaving room for a number. */
export function externalNick(wanted: string | undefined): string {
  return (wanted ?? '').replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 28) || 'user';
}
