import { nanoid } from 'nanoid';
import type { Profile } from '../protocol/membership.ts';

/** Session is one signed-in user: a bearer token, a nick, a profile. */
export interface Session {
  readonly token: string;
  readonly nick: string;
  status: string;
  bio: string;
  /** When a request last carried the token (ms since the epoch). */
  lastSeen: number;
}

/**
 * SessionStore keeps the active sessions by token and by nick. A session
 * ends when it is closed or when `idleMs` pass without a request carrying
 * its token, noticed on use or by `sweep`; either way `onExpire` hears of
 * it, so the user can be announced as gone.
 */
export class SessionStore {
  private readonly byToken = new Map<string, Session>();
  private readonly byNick = new Map<string, Session>();

  /** Sessions at once; new ones are refused beyond it. */
  maxSessions = 100_000;

  constructor(
    public idleMs: number,
    /** Called for each session that ends by expiring, whenever that is noticed. */
    private readonly onExpire: (session: Session) => void,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.byToken.size;
  }

  /** open starts a session; 'taken' when an active session holds the nick, 'full' at maxSessions. */
  open(nick: string): Session | 'taken' | 'full' {
    const holder = this.byNick.get(nick);
    if (holder !== undefined && !this.expire(holder)) return 'taken';
    if (this.byToken.size >= this.maxSessions) this.sweep();
    if (this.byToken.size >= this.maxSessions) return 'full';
    // nanoid: 21 URL-safe characters, 126 random bits.
    const session: Session = { token: nanoid(), nick, status: '', bio: '', lastSeen: this.now() };
    this.byToken.set(session.token, session);
    this.byNick.set(nick, session);
    return session;
  }

  /** touch finds the live session of a token and marks it used now. */
  touch(token: string): Session | undefined {
    const session = this.byToken.get(token);
    if (session === undefined || this.expire(session)) return undefined;
    session.lastSeen = this.now();
    return session;
  }

  close(session: Session): void {
    if (this.byToken.get(session.token) !== session) return;
    this.byToken.delete(session.token);
    if (this.byNick.get(session.nick) === session) this.byNick.delete(session.nick);
  }

  /** find gives the active session of a nick. */
  find(nick: string): Session | undefined {
    const session = this.byNick.get(nick);
    return session === undefined || this.expire(session) ? undefined : session;
  }

  /** nicksStartingWith lists active nicks with a prefix, sorted, at most `limit`. */
  nicksStartingWith(prefix: string, limit: number): string[] {
    const nicks: string[] = [];
    for (const session of this.byNick.values()) {
      if (session.nick.startsWith(prefix) && !this.isExpired(session)) nicks.push(session.nick);
    }
    return nicks.sort().slice(0, limit);
  }

  /** sweep ends every expired session. */
  sweep(): void {
    for (const session of [...this.byToken.values()]) this.expire(session);
  }

  private isExpired(session: Session): boolean {
    return this.now() - session.lastSeen >= this.idleMs;
  }

  /** expire closes a session that has run out; true when it had. */
  private expire(session: Session): boolean {
    if (!this.isExpired(session)) return false;
    this.close(session);
    this.onExpire(session);
    return true;
  }
}

/** profileOf is the public part of a session. */
export function profileOf(session: Session): Profile {
  return { nick: session.nick, status: session.status, bio: session.bio };
}
