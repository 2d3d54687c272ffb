import { nanoid } from 'nanoid';
import type { SessionEnd } from '../protocol/membership.ts';
import type { PasswordHash } from './password.ts';
import { DEFAULT_SESSION_LIMITS, externalNick, type Opened, type Session, type SessionLimits, type SessionStore, type User } from './session-store.ts';

/** Account is a user as this store keeps it: editable in place. */
interface Account {
  readonly id: string;
  readonly nick: string;
  readonly guest: boolean;
  status: string;
  bio: string;
  password: PasswordHash | undefined;
  /** The snapshot handed out, made once per edit rather than once per request. */
  view?: User | undefined;
}

interface LiveSession {
  readonly token: string;
  readonly account: Account;
  /** When a request last carried the token (ms since the epoch). */
  lastSeen: number;
  view?: Session | undefined;
}

/**
 * MemorySessionStore keeps identities in this process: they are gone when
 * it stops. It answers at once.
 */
export class MemorySessionStore implements SessionStore {
  private readonly byToken = new Map<string, LiveSession>();
  private readonly sessionsOf = new Map<string, Set<LiveSession>>();
  private readonly guests = new Map<string, Account>();
  private readonly accounts = new Map<string, Account>();
  private readonly byId = new Map<string, Account>();
  /** Accounts bound to an OpenID Connect identity, by `issuer NUL subject`. */
  private readonly external = new Map<string, Account>();
  /** One-time codes, in the order they were handed out, so the expired ones are at the front. */
  private readonly codes = new Map<string, { readonly account: Account; readonly expires: number }>();
  private readonly listeners = new Set<(ended: SessionEnd) => void>();
  private limits: SessionLimits = DEFAULT_SESSION_LIMITS;

  constructor(private readonly now: () => number = Date.now) {}

  configure(limits: Partial<SessionLimits>): void {
    this.limits = { ...this.limits, ...limits };
  }

  isTaken(nick: string): boolean {
    return this.accounts.has(nick) || this.liveGuest(nick) !== undefined;
  }

  openGuest(nick: string): Opened {
    if (this.isTaken(nick)) return 'taken';
    if (this.isFull()) return 'full';
    const account: Account = { id: `g_${nanoid()}`, nick, guest: true, status: '', bio: '', password: undefined };
    this.guests.set(nick, account);
    this.byId.set(account.id, account);
    return this.start(account);
  }

  createAccount(login: string, password: PasswordHash): Opened {
    if (this.isTaken(login)) return 'taken';
    if (this.isFull()) return 'full';
    return this.start(this.keep({ id: `u_${nanoid()}`, nick: login, guest: false, status: '', bio: '', password }));
  }

  externalAccount(issuer: string, subject: string, wanted: string | undefined): User {
    const key = `${issuer}\u0000${subject}`;
    const known = this.external.get(key);
    if (known !== undefined) return userOf(known);
    const base = externalNick(wanted);
    let nick = base;
    for (let n = 2; this.isTaken(nick); n++) nick = `${base}-${n}`;
    const account = this.keep({ id: `u_${nanoid()}`, nick, guest: false, status: '', bio: '', password: undefined });
    this.external.set(key, account);
    return userOf(account);
  }

  credentials(login: string): { user: User; password: PasswordHash | undefined } | undefined {
    const account = this.accounts.get(login);
    return account === undefined ? undefined : { user: userOf(account), password: account.password };
  }

  openFor(user: User): Session | 'full' {
    const account = this.byId.get(user.id);
    if (account === undefined) throw new Error(`no user ${user.id} to open a session for`);
    return this.isFull() ? 'full' : this.start(account);
  }

  touch(token: string): Session | undefined {
    const session = this.liveSession(token);
    if (session === undefined) return undefined;
    session.lastSeen = this.now();
    return sessionOf(session);
  }

  live(token: string): Session | undefined {
    const session = this.liveSession(token);
    return session === undefined ? undefined : sessionOf(session);
  }

  close({ token }: Session): void {
    const session = this.byToken.get(token);
    if (session !== undefined) this.end(session);
  }

  closeOthers({ token, user }: Session): void {
    for (const other of [...(this.sessionsOf.get(user.id) ?? [])]) if (other.token !== token) this.end(other);
  }

  find(nick: string): User | undefined {
    const account = this.accounts.get(nick) ?? this.liveGuest(nick);
    return account === undefined ? undefined : userOf(account);
  }

  nicksStartingWith(prefix: string, limit: number): string[] {
    const nicks = new Set<string>();
    for (const session of this.byToken.values()) {
      if (session.account.nick.startsWith(prefix) && !this.isExpired(session)) nicks.add(session.account.nick);
    }
    return [...nicks].sort().slice(0, limit);
  }

  editProfile(user: User, { status, bio }: { status: string; bio: string }): User {
    const account = this.byId.get(user.id);
    if (account === undefined) return user;
    account.status = status;
    account.bio = bio;
    account.view = undefined;
    return userOf(account);
  }

  setPassword(user: User, password: PasswordHash): void {
    const account = this.byId.get(user.id);
    if (account !== undefined) account.password = password;
  }

  sweep(): void {
    for (const session of [...this.byToken.values()]) this.expire(session);
  }

  grant(user: User, validMs: number, max: number): string | 'full' {
    const now = this.now();
    for (const [code, { expires }] of this.codes) {
      if (expires > now) break;
      this.codes.delete(code);
    }
    const account = this.byId.get(user.id);
    if (account === undefined) throw new Error(`no user ${user.id} to grant a code for`);
    if (this.codes.size >= max) return 'full';
    const code = nanoid();
    this.codes.set(code, { account, expires: now + validMs });
    return code;
  }

  redeem(code: string): User | undefined {
    const granted = this.codes.get(code);
    this.codes.delete(code);
    return granted === undefined || granted.expires <= this.now() ? undefined : userOf(granted.account);
  }

  subscribe(listener: (ended: SessionEnd) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private keep(account: Account): Account {
    this.accounts.set(account.nick, account);
    this.byId.set(account.id, account);
    return account;
  }

  private start(account: Account): Session {
    // nanoid: 21 URL-safe characters, 126 random bits.
    const session: LiveSession = { token: nanoid(), account, lastSeen: this.now() };
    this.byToken.set(session.token, session);
    let sessions = this.sessionsOf.get(account.id);
    if (sessions === undefined) {
      sessions = new Set();
      this.sessionsOf.set(account.id, sessions);
    }
    sessions.add(session);
    return sessionOf(session);
  }

  private end(session: LiveSession): void {
    if (this.byToken.get(session.token) !== session) return;
    this.byToken.delete(session.token);
    const { account } = session;
    const others = this.sessionsOf.get(account.id);
    others?.delete(session);
    const userGone = account.guest || others === undefined || others.size === 0;
    if (others?.size === 0) this.sessionsOf.delete(account.id);
    if (account.guest) {
      if (this.guests.get(account.nick) === account) this.guests.delete(account.nick);
      this.byId.delete(account.id);
    }
    const ended: SessionEnd = { nick: account.nick, user: account.id, guest: account.guest, userGone };
    for (const listener of this.listeners) listener(ended);
  }

  private isFull(): boolean {
    if (this.byToken.size >= this.limits.maxSessions) this.sweep();
    return this.byToken.size >= this.limits.maxSessions;
  }

  private liveSession(token: string): LiveSession | undefined {
    const session = this.byToken.get(token);
    return session === undefined || this.expire(session) ? undefined : session;
  }

  private liveGuest(nick: string): Account | undefined {
    const guest = this.guests.get(nick);
    if (guest === undefined) return undefined;
    // A guest has one session; it is gone once that has expired.
    const [session] = this.sessionsOf.get(guest.id) ?? [];
    return session === undefined || this.expire(session) ? undefined : guest;
  }

  private isExpired(session: LiveSession): boolean {
    return this.now() - session.lastSeen >= (session.account.guest ? this.limits.idleMs : this.limits.accountIdleMs);
  }

  /** expire ends a session that has run out; true when it had. */
  private expire(session: LiveSession): boolean {
    if (!this.isExpired(session)) return false;
    this.end(session);
    return true;
  }
}

function userOf(account: Account): User {
  const { id, nick, guest, status, bio } = account;
  return (account.view ??= Object.freeze({ id, nick, guest, status, bio }));
}

function sessionOf(session: LiveSession): Session {
  const user = userOf(session.account);
  if (session.view?.user !== user) session.view = Object.freeze({ token: session.token, user });
  return session.view;
}
