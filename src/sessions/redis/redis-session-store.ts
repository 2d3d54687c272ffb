import type { Redis } from 'ioredis';
import { nanoid } from 'nanoid';
import type { SessionEnd } from '../../protocol/membership.ts';
import type { RedisEvents } from '../../redis/events.ts';
import { Script } from '../../redis/scripts.ts';
import type { MaybePromise } from '../../util/maybe-promise.ts';
import type { PasswordHash } from '../password.ts';
import { DEFAULT_SESSION_LIMITS, externalNick, type Opened, type Session, type SessionLimits, type SessionStore, type User } from '../session-store.ts';
import { SessionCache } from './session-cache.ts';

/** What sessions.lua answers: the operation's result, and the sessions it ended (five fields each). */
type Answer = [result: string | string[], ended: string[]];

// Expired sessions ended by one sweep call: a sweep that finds more calls again.
const SWEEP_BATCH = 1_000;

// How long a node trusts a session Redis confirmed live without asking again (never longer than either idle time).
const TRUSTED_MS = 1_000;

/**
 * RedisSessionStore keeps identities in Redis, for every node: accounts,
 * guests, sessions with their expiry, and the one-time codes of external
 * sign-ins. Each operation is one call of sessions.lua, atomic in Redis; a
 * session it finds expired it ends there and then, and the node that made
 * the call tells its listeners.
 *
 * A request's token is looked up through a cache of the sessions Redis
 * confirmed live in the last second (SessionCache): a hit goes on at once,
 * and its use is marked in Redis behind it. Every session that ends is
 * published by sessions.lua, and Redis sends the event to every node in the
 * same instant as its answer to the node that ended it: every node has
 * forgotten the token long before that node's client, told of the end, can
 * reach another. While the subscription is broken, nothing is cached.
 */
export class RedisSessionStore implements SessionStore {
  private readonly script: Script;
  private limits: SessionLimits = DEFAULT_SESSION_LIMITS;
  private readonly listeners = new Set<(ended: SessionEnd) => void>();
  private readonly cache: SessionCache;

  private constructor(
    client: Redis,
    private readonly events: RedisEvents,
    private readonly prefix: string,
    private readonly now: () => number,
  ) {
    this.script = new Script(client, new URL('./', import.meta.url), 'sessions');
    this.cache = new SessionCache(now);
  }

  /** open makes the store and subscribes it to the sessions every node ends. */
  static async open(client: Redis, events: RedisEvents, prefix: string, now: () => number): Promise<RedisSessionStore> {
    const store = new RedisSessionStore(client, events, prefix, now);
    const forgetAll = (): void => store.cache.clear();
    await events.listen(`${prefix}sessions-ended`, { message: (tokens) => store.cache.forget(tokens.split('\n')), lost: forgetAll, resumed: forgetAll });
    return store;
  }

  /** forgetTrusted asks Redis again about every session: Redis may have lost them (a new epoch). */
  forgetTrusted(): void {
    this.cache.clear();
  }

  configure(limits: Partial<SessionLimits>): void {
    this.limits = { ...this.limits, ...limits };
  }

  touch(token: string): MaybePromise<Session | undefined> {
    const trusted = this.cache.get(token);
    if (trusted === undefined) return this.confirm(token);
    // Its use is marked in Redis all the same; the request does not wait for it.
    this.confirm(token).catch(() => undefined);
    return trusted;
  }

  /** confirm touches a token's session in Redis, and trusts it for a moment if it is live. */
  private async confirm(token: string): Promise<Session | undefined> {
    const mark = this.cache.mark();
    const askedAt = this.now();
    const user = userOf(await this.call('touch', token, '1', this.limits.idleMs, this.limits.accountIdleMs));
    if (user === undefined) {
      this.cache.drop(token);
      return undefined;
    }
    const session = { token, user };
    if (this.events.listening) this.cache.keep(session, mark, askedAt, Math.min(TRUSTED_MS, this.limits.idleMs, this.limits.accountIdleMs));
    return session;
  }

  async live(token: string): Promise<Session | undefined> {
    const user = userOf(await this.call('touch', token, '0'));
    return user === undefined ? undefined : { token, user };
  }

  async isTaken(nick: string): Promise<boolean> {
    return (await this.call('taken', nick)) === '1';
  }

  async openGuest(nick: string): Promise<Opened> {
    const id = `g_${nanoid()}`;
    const token = nanoid();
    const result = await this.call('open-guest', nick, id, token, this.limits.maxSessions, this.limits.idleMs);
    return opened(result, token, { id, nick, guest: true, status: '', bio: '' });
  }

  async createAccount(login: string, password: PasswordHash): Promise<Opened> {
    const id = `u_${nanoid()}`;
    const token = nanoid();
    const result = await this.call('create-account', login, id, token, passwordText(password), this.limits.maxSessions, this.limits.accountIdleMs);
    return opened(result, token, { id, nick: login, guest: false, status: '', bio: '' });
  }

  async externalAccount(issuer: string, subject: string, wanted: string | undefined): Promise<User> {
    return userOf(await this.call('external-account', `${issuer}\u0000${subject}`, externalNick(wanted), `u_${nanoid()}`)) as User;
  }

  async credentials(login: string): Promise<{ user: User; password: PasswordHash | undefined } | undefined> {
    const fields = await this.call('credentials', login);
    const user = userOf(fields);
    if (user === undefined) return undefined;
    return { user, password: passwordOf(fields[5] ?? '') };
  }

  async openFor(user: User): Promise<Session | 'full'> {
    const token = nanoid();
    const result = await this.call('open-for', user.id, token, this.limits.maxSessions, this.limits.accountIdleMs);
    if (result === 'gone') throw new Error(`no user ${user.id} to open a session for`);
    return result === 'full' ? 'full' : { token, user };
  }

  async close(session: Session): Promise<void> {
    await this.call('close', session.token);
  }

  async closeOthers(session: Session): Promise<void> {
    await this.call('close-others', session.user.id, session.token);
  }

  async find(nick: string): Promise<User | undefined> {
    return userOf(await this.call('find', nick));
  }

  async nicksStartingWith(prefix: string, limit: number): Promise<string[]> {
    return (await this.call('nicks', prefix, limit)) as string[];
  }

  async editProfile(user: User, { status, bio }: { status: string; bio: string }): Promise<User> {
    return userOf(await this.call('edit-profile', user.id, status, bio)) ?? user;
  }

  async setPassword(user: User, password: PasswordHash): Promise<void> {
    await this.call('set-password', user.id, passwordText(password));
  }

  async sweep(): Promise<void> {
    while (Number(await this.call('sweep', SWEEP_BATCH)) === SWEEP_BATCH);
  }

  async grant(user: User, validMs: number, max: number): Promise<string | 'full'> {
    const code = nanoid();
    return (await this.call('grant', user.id, code, validMs, max)) === 'full' ? 'full' : code;
  }

  async redeem(code: string): Promise<User | undefined> {
    return userOf(await this.call('redeem', code));
  }

  subscribe(listener: (ended: SessionEnd) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async call(operation: string, ...args: (string | number)[]): Promise<string | string[]> {
    const [result, ended] = (await this.script.run(this.prefix, this.now(), operation, ...args)) as unknown as Answer;
    if (ended.length > 0) this.cache.forget(ended.filter((_, i) => i % 5 === 4));
    for (let i = 0; i + 4 < ended.length; i += 5) {
      const end: SessionEnd = { nick: ended[i] as string, user: ended[i + 1] as string, guest: ended[i + 2] === '1', userGone: ended[i + 3] === '1' };
      for (const listener of this.listeners) listener(end);
    }
    return result;
  }
}

/** userOf reads the user fields sessions.lua answers (id, nick, guest, status, bio), or undefined for none. */
function userOf(fields: string | string[]): User | undefined {
  if (!Array.isArray(fields) || fields.length < 5) return undefined;
  const [id, nick, guest, status, bio] = fields as [string, string, string, string, string];
  return { id, nick, guest: guest === '1', status, bio };
}

function opened(result: string | string[], token: string, user: User): Opened {
  if (result === 'taken' || result === 'full') return result;
  return { token, user };
}

function passwordText({ salt, key }: PasswordHash): string {
  return `${salt.toString('hex')}:${key.toString('hex')}`;
}

function passwordOf(text: string): PasswordHash | undefined {
  const [salt, key] = text.split(':');
  return salt === undefined || key === undefined || text === '' ? undefined : { salt: Buffer.from(salt, 'hex'), key: Buffer.from(key, 'hex') };
}
