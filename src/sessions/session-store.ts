import { nanoid } from 'nanoid';
import type { Profile } from '../protocol/membership.ts';
import type { PasswordHash } from './password.ts';

/**
 * User is who owns things: an account (kept for good, with a password) or a
 * guest (alive only as long as its one session). Its id is what private
 * rooms list as members; its nick is fixed for its whole life.
 */
export interface User {
  readonly id: string;
  readonly nick: string;
  readonly guest: boolean;
  status: string;
  bio: string;
  /** Accounts only. */
  password: PasswordHash | undefined;
}

/** Session is one signed-in client of a user: a bearer token. */
export interface Session {
  readonly token: string;
  readonly user: User;
  /** When a request last carried the token (ms since the epoch). */
  lastSeen: number;
}

/**
 * SessionStore is the one store of identities: accounts, guests and their
 * sessions (the interface a shared back-end will implement too). A nick
 * belongs to an account for good, or to a guest while its session lives. A
 * session ends when it is closed or when its idle time passes without a
 * request carrying its token (`idleMs` for guests, `accountIdleMs` for
 * accounts), noticed on use or by `sweep`; either way `onEnd` hears of it,
 * with whether its user is gone too (a guest, or an account's last session).
 */
export class SessionStore {
  private readonly byToken = new Map<string, Session>();
  private readonly sessionsOf = new Map<string, Set<Session>>();
  private readonly guests = new Map<string, User>();
  private readonly accounts = new Map<string, User>();
  /** Accounts bound to an OpenID Connect identity, by `issuer NUL subject`. */
  private readonly external = new Map<string, User>();

  /** Sessions at once; new ones are refused beyond it. */
  maxSessions = 100_000;
  /** An account's sessions expire after this long unused (PROTOCOL.md: 30 days). */
  accountIdleMs = 30 * 24 * 3_600_000;

  constructor(
    /** A guest's session expires after this long unused. */
    public idleMs: number,
    private readonly onEnd: (session: Session, userGone: boolean) => void,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.byToken.size;
  }

  /** isTaken tells whether a nick belongs to an account or to a guest with a live session. */
  isTaken(nick: string): boolean {
    return this.accounts.has(nick) || this.liveGuest(nick) !== undefined;
  }

  /** openGuest starts a guest and its session; 'taken' when the nick is someone's, 'full' at maxSessions. */
  openGuest(nick: string): Session | 'taken' | 'full' {
    if (this.isTaken(nick)) return 'taken';
    if (this.isFull()) return 'full';
    const user: User = { id: `g_${nanoid()}`, nick, guest: true, status: '', bio: '', password: undefined };
    this.guests.set(nick, user);
    return this.start(user);
  }

  /** createAccount makes an account for `login` and opens its first session. */
  createAccount(login: string, password: PasswordHash): Session | 'taken' | 'full' {
    if (this.isTaken(login)) return 'taken';
    if (this.isFull()) return 'full';
    const user: User = { id: `u_${nanoid()}`, nick: login, guest: false, status: '', bio: '', password };
    this.accounts.set(login, user);
    return this.start(user);
  }

  /**
   * externalAccount finds the account bound to a provider's issuer and
   * subject, or makes one: its nick is the one the provider suggests, made
   * to fit the nick rule and, if taken, numbered. It has no password.
   */
  externalAccount(issuer: string, subject: string, wanted: string | undefined): User {
    const key = `${issuer}\u0000${subject}`;
    const known = this.external.get(key);
    if (known !== undefined) return known;
    const base = (wanted ?? '').replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 28) || 'user';
    let nick = base;
    for (let n = 2; this.isTaken(nick); n++) nick = `${base}-${n}`;
    const user: User = { id: `u_${nanoid()}`, nick, guest: false, status: '', bio: '', password: undefined };
    this.accounts.set(nick, user);
    this.external.set(key, user);
    return user;
  }

  /** account finds an account by its login. */
  account(login: string): User | undefined {
    return this.accounts.get(login);
  }

  /** openFor opens another session for an existing account (a log-in). */
  openFor(user: User): Session | 'full' {
    return this.isFull() ? 'full' : this.start(user);
  }

  /** touch finds the live session of a token and marks it used now. */
  touch(token: string): Session | undefined {
    const session = this.byToken.get(token);
    if (session === undefined || this.expire(session)) return undefined;
    session.lastSeen = this.now();
    return session;
  }

  /** live finds the session of a token if it has not ended, without marking it used. */
  live(token: string): Session | undefined {
    const session = this.byToken.get(token);
    return session === undefined || this.expire(session) ? undefined : session;
  }

  /** close ends a session; its user too if that was a guest. */
  close(session: Session): void {
    if (this.byToken.get(session.token) !== session) return;
    this.byToken.delete(session.token);
    const others = this.sessionsOf.get(session.user.id);
    others?.delete(session);
    const userGone = session.user.guest || others === undefined || others.size === 0;
    if (others?.size === 0) this.sessionsOf.delete(session.user.id);
    if (session.user.guest && this.guests.get(session.user.nick) === session.user) this.guests.delete(session.user.nick);
    this.onEnd(session, userGone);
  }

  /** closeOthers ends every session of the user but this one (after a password change). */
  closeOthers(session: Session): void {
    for (const other of [...(this.sessionsOf.get(session.user.id) ?? [])]) if (other !== session) this.close(other);
  }

  /** find gives the current user of a nick: an account, or a guest with a live session. */
  find(nick: string): User | undefined {
    return this.accounts.get(nick) ?? this.liveGuest(nick);
  }

  /** nicksStartingWith lists the nicks with a live session that start with a prefix, sorted, at most `limit`. */
  nicksStartingWith(prefix: string, limit: number): string[] {
    const nicks = new Set<string>();
    for (const session of this.byToken.values()) {
      if (session.user.nick.startsWith(prefix) && !this.isExpired(session)) nicks.add(session.user.nick);
    }
    return [...nicks].sort().slice(0, limit);
  }

  /** sweep ends every expired session. */
  sweep(): void {
    for (const session of [...this.byToken.values()]) this.expire(session);
  }

  private start(user: User): Session {
    // nanoid: 21 URL-safe characters, 126 random bits.
    const session: Session = { token: nanoid(), user, lastSeen: this.now() };
    this.byToken.set(session.token, session);
    let sessions = this.sessionsOf.get(user.id);
    if (sessions === undefined) {
      sessions = new Set();
      this.sessionsOf.set(user.id, sessions);
    }
    sessions.add(session);
    return session;
  }

  private isFull(): boolean {
    if (this.byToken.size >= this.maxSessions) this.sweep();
    return this.byToken.size >= this.maxSessions;
  }

  private liveGuest(nick: string): User | undefined {
    const guest = this.guests.get(nick);
    if (guest === undefined) return undefined;
    // A guest has one session; it is gone once that has expired.
    const [session] = this.sessionsOf.get(guest.id) ?? [];
    return session === undefined || this.expire(session) ? undefined : guest;
  }

  private isExpired(session: Session): boolean {
    return this.now() - session.lastSeen >= (session.user.guest ? this.idleMs : this.accountIdleMs);
  }

  /** expire closes a session that has run out; true when it had. */
  private expire(session: Session): boolean {
    if (!this.isExpired(session)) return false;
    this.close(session);
    return true;
  }
}

/** profileOf is the public part of a user. */
export function profileOf(user: User): Profile {
  return { nick: user.nick, status: user.status, bio: user.bio };
}
