import type { Session } from '../session-store.ts';

/**
 * SessionCache holds the sessions Redis confirmed live a moment ago, so that
 * a client's requests in quick succession do not each wait for a round trip
 * before they can go on: on a node busy answering polls, each round trip
 * costs a turn of its event loop, so a post that waits for two (the session,
 * then the append) is accepted markedly later than one that waits for one
 * (bench/README.md, *Several nodes*).
 *
 * An entry is trusted until `until`, no longer than the shortest idle time,
 * so it never outlives the session's expiry in Redis. A session that ends
 * anywhere is forgotten at once: its node publishes the token and every node
 * hears it (see RedisSessionStore). A confirmation that was asked for
 * before an end was heard is not kept, since it may predate that end.
 */
export class SessionCache {
  private readonly entries = new Map<string, { readonly session: Session; readonly until: number }>();
  private ends = 0;

  constructor(private readonly now: () => number) {}

  /** get gives the session of a token confirmed within its time, or undefined. */
  get(token: string): Session | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    if (entry.until > this.now()) return entry.session;
    this.entries.delete(token);
    return undefined;
  }

  /** mark notes the moment a confirmation is asked for: pass it to `keep` with the answer. */
  mark(): number {
    return this.ends;
  }

  /** keep trusts a session Redis confirmed live at `confirmedAt` for `forMs`, unless a session ended since `mark`. */
  keep(session: Session, mark: number, confirmedAt: number, forMs: number): void {
    if (mark !== this.ends) return;
    this.entries.delete(session.token);
    this.entries.set(session.token, { session, until: confirmedAt + forMs });
    this.evictExpired();
  }

  /** forget drops ended sessions, and makes every confirmation under way too old to keep. */
  forget(tokens: Iterable<string>): void {
    this.ends++;
    for (const token of tokens) this.entries.delete(token);
  }

  /** drop forgets one session Redis no longer knows (expired unseen, say), leaving confirmations under way be. */
  drop(token: string): void {
    this.entries.delete(token);
  }

  /** clear forgets everything: ends may be missed from now on (the subscription broke). */
  clear(): void {
    this.ends++;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  // Entries are kept in the order they were confirmed, each for the same time: the expired ones are at the front.
  private evictExpired(): void {
    const now = this.now();
    for (const [token, entry] of this.entries) {
      if (entry.until > now) return;
      this.entries.delete(token);
    }
  }
}
