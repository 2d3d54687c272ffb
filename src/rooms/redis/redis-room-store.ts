import type { Redis } from 'ioredis';
import type { RoomInfo } from '../../protocol/membership.ts';
import { Script } from '../../redis/scripts.ts';
import { DEFAULT_ROOM_LIMITS, drawRoomName } from '../memory-room-store.ts';
import type { Access, Created, Invited, Left, Member, RoomLimits, RoomStore } from '../room-store.ts';

// Names drawn for a room made without one: the script takes the first that is free.
const DRAWN_NAMES = 5;

// Names a node remembers as public for good; past it, it forgets them all and asks Redis again.
const MAX_KNOWN_PUBLIC = 10_000;

/**
 * RedisRoomStore keeps the private rooms in Redis, for every node: each
 * operation is one call of rooms.lua, which makes its checks and its change
 * in one atomic step.
 *
 * A name posted to or polled is public for good (no private room may take
 * it), so a node that has learnt so answers polls and posts there without
 * asking Redis again, until Redis may have lost what it knew (forgetPublic).
 */
export class RedisRoomStore implements RoomStore {
  private readonly script: Script;
  private limits: RoomLimits = DEFAULT_ROOM_LIMITS;
  private readonly publicForGood = new Set<string>();

  constructor(
    client: Redis,
    private readonly prefix: string,
  ) {
    this.script = new Script(client, new URL('./', import.meta.url), 'rooms');
  }

  configure(limits: Partial<RoomLimits>): void {
    this.limits = { ...this.limits, ...limits };
  }

  access(room: string, user: string | undefined, use: 'posted' | 'polled' | undefined): Access | Promise<Access> {
    if (this.publicForGood.has(room)) return 'public';
    return this.call('access', room, user ?? '', use ?? '', this.limits.maxRooms).then((answer) => {
      const access = answer as unknown as Access | 'public-kept';
      if (access !== 'public-kept') return access;
      if (this.publicForGood.size >= MAX_KNOWN_PUBLIC) this.publicForGood.clear();
      this.publicForGood.add(room);
      return 'public';
    });
  }

  /** forgetPublic forgets which names are public for good: Redis may have lost its data, and with it that knowledge. */
  forgetPublic(): void {
    this.publicForGood.clear();
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
