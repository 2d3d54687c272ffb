import type { Redis } from 'ioredis';
import type { RoomInfo } from '../../protocol/membership.ts';
import { Script } from '../../redis/scripts.ts';
import { DEFAULT_ROOM_LIMITS, drawRoomName } from '../memory-room-store.ts';
import type { Access, Created, Invited, Left, Member, RoomLimits, RoomStore } from '../room-store.ts';

// Names drawn for a room made without one: the script takes the first that is free.
const DRAWN_NAMES = 5;

/**
 * RedisRoomStore keeps the private rooms in Redis, for every node: each
 * operation is one call of rooms.lua, which makes its checks and its change
 * in one atomic step.
 */
export class RedisRoomStore implements RoomStore {
  private readonly script: Script;
  private limits: RoomLimits = DEFAULT_ROOM_LIMITS;

  constructor(
    client: Redis,
    private readonly prefix: string,
  ) {
    this.script = new Script(client, new URL('./', import.meta.url), 'rooms');
  }

  configure(limits: Partial<RoomLimits>): void {
    this.limits = { ...this.limits, ...limits };
  }

  async access(room: string, user: string | undefined, use: 'posted' | 'polled' | undefined): Promise<Access> {
    return (await this.call('access', room, user ?? '', use ?? '', this.limits.maxRooms)) as unknown as Access;
  }

  async create(name: string | undefined, members: readonly Member[]): Promise<Created> {
    const drawn = Array.from({ length: DRAWN_NAMES }, drawRoomName).join(',');
    const { maxRooms, maxMembers, maxMemberships } = this.limits;
    const answer = await this.call('create', name ?? '', maxRooms, maxMembers, maxMemberships, drawn, ...members.flatMap(({ user, nick }) => [user, nick]));
    const [kind] = answer;
    if (kind === 'created' || kind === 'existing') return { kind, info: infoOf(answer.slice(1)) };
    if (kind === 'memberships') return { kind, nick: answer[1] as string };
    return { kind } as Created;
  }

  async invite(name: string, by: string, member: Member): Promise<Invited> {
    const answer = await this.call('invite', name, by, member.user, member.nick, this.limits.maxMembers, this.limits.maxMemberships);
    const [kind] = answer;
    if (kind === 'invited') return { kind, info: infoOf(answer.slice(1)) };
    if (kind === 'memberships') return { kind, nick: answer[1] as string };
    return { kind } as Invited;
  }

  async leave(name: string, user: string): Promise<Left> {
    const answer = await this.call('leave', name, user);
    const [kind] = answer;
    return kind === 'left' ? { kind, info: infoOf(answer.slice(1)) } : ({ kind } as Left);
  }

  forget(user: string): Promise<string[]> {
    return this.call('forget', user);
  }

  async privateOf(user: string | undefined): Promise<RoomInfo[]> {
    if (user === undefined) return [];
    return ((await this.call('private-of', user)) as unknown as string[][]).map(infoOf);
  }

  async hidden(names: readonly string[]): Promise<ReadonlySet<string>> {
    return new Set(names.length === 0 ? [] : await this.call('hidden', ...names));
  }

  private call(operation: string, ...args: (string | number)[]): Promise<string[]> {
    return this.script.run(this.prefix, operation, ...args);
  }
}

/** infoOf reads a room as rooms.lua lists it: its name, then its members' nicks, sorted. */
function infoOf([name, ...members]: readonly string[]): RoomInfo {
  return { name: name as string, private: true, members };
}
