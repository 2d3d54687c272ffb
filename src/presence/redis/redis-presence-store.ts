import type { Redis } from 'ioredis';
import { Script } from '../../redis/scripts.ts';
import type { Departure, PresenceLimits, PresenceStore } from '../presence-store.ts';

// Presences ended by one expire call; the next call takes the rest.
const EXPIRE_BATCH = 1_000;

/**
 * RedisPresenceStore keeps presence in Redis, for every node: a user's held
 * polls are counted whichever node holds them, and an expired presence is
 * ended (and announced) by exactly one node. Each operation is one call of
 * presence.lua.
 */
export class RedisPresenceStore implements PresenceStore {
  private readonly script: Script;
  private limits: PresenceLimits = { windowMs: 35_000, maxRoomsPerUser: 20 };

  constructor(
    client: Redis,
    private readonly prefix: string,
    private readonly now: () => number,
  ) {
    this.script = new Script(client, new URL('./', import.meta.url), 'presence');
  }

  configure(limits: Partial<PresenceLimits>): void {
    this.limits = { ...this.limits, ...limits };
  }

  async arrive(room: string, nick: string): Promise<'joined' | 'present' | 'refused'> {
    return (await this.call('arrive', room, nick, this.limits.maxRoomsPerUser)) as unknown as 'joined' | 'present' | 'refused';
  }

  async pollEnded(room: string, nick: string): Promise<void> {
    await this.call('poll-ended', room, nick);
  }

  async refresh(holding: readonly Departure[]): Promise<void> {
    if (holding.length > 0) await this.call('refresh', ...holding.flatMap(({ room, nick }) => [room, nick]));
  }

  async expire(): Promise<{ gone: Departure[]; empty: boolean }> {
    const [empty, ...pairs] = await this.call('expire', EXPIRE_BATCH);
    const gone: Departure[] = [];
    for (let i = 0; i + 1 < pairs.length; i += 2) gone.push({ room: pairs[i] as string, nick: pairs[i + 1] as string });
    return { gone, empty: empty === '1' };
  }

  leave(nick: string, room: string | undefined): Promise<string[]> {
    return this.call('leave', nick, room ?? '');
  }

  async users(room: string): Promise<{ nick: string; since: number }[]> {
    const pairs = await this.call('users', room);
    const users: { nick: string; since: number }[] = [];
    for (let i = 0; i + 1 < pairs.length; i += 2) users.push({ nick: pairs[i] as string, since: Number(pairs[i + 1]) });
    return users.sort((a, b) => a.since - b.since || (a.nick < b.nick ? -1 : 1));
  }

  async counts(rooms: readonly string[]): Promise<number[]> {
    return rooms.length === 0 ? [] : (await this.call('counts', ...rooms)).map(Number);
  }

  async online(nicks: readonly string[]): Promise<boolean[]> {
    return nicks.length === 0 ? [] : (await this.call('online', ...nicks)).map((flag) => flag === '1');
  }

  private call(operation: string, ...args: (string | number)[]): Promise<string[]> {
    return this.script.run(this.prefix, this.now(), this.limits.windowMs, operation, ...args);
  }
}
