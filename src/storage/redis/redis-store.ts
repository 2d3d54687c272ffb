import type { Redis } from 'ioredis';
import { nanoid } from 'nanoid';
import type { MaybePromise } from '../../util/maybe-promise.ts';
import type { Message } from '../../protocol/packets.ts';
import type { RedisEvents } from '../../redis/events.ts';
import { Script, type ScriptReply as Reply } from '../../redis/scripts.ts';
import { CoalescedReads } from './coalesced-reads.ts';
import { DEFAULT_LIMITS } from '../memory-store.ts';
import type { AppendResult, Draft, Entry, MessageStore, RoomTally, Slice, StoreEvent, StoreLimits, StoreListener } from '../store.ts';

/** The store's Lua scripts, each run with the shared helpers of common.lua before it. */
const SCRIPTS = ['append', 'read', 'tallies', 'delete', 'stats'] as const;
type ScriptName = (typeof SCRIPTS)[number];

// A page of the recent-rooms walk: a listing skips private rooms, so it may need more than one.
const RECENT_PAGE = 256;

// Rooms whose newest id a node remembers from the appends it heard; past it, it forgets them all and asks Redis again.
const MAX_KNOWN_ROOMS = 10_000;

const NOTHING: readonly Entry[] = Object.freeze([]);

/**
 * StoredEntry is an entry read back from Redis: its JSON is all an answer
 * needs, so the message is parsed only if something asks for it.
 */
class StoredEntry implements Entry {
  private parsed: Message | undefined;

  constructor(readonly json: string) {}

  get message(): Message {
    return (this.parsed ??= JSON.parse(this.json) as Message);
  }

  get bytes(): number {
    return Buffer.byteLength(this.json);
  }
}

/**
 * RedisMessageStore keeps history in Redis, shared by every node: a Stream
 * per room whose entry ids are the message ids, appended by one Lua script
 * that assigns the room's next id atomically (see append.lua). Each append
 * is published; one subscriber connection per node hears them all and
 * releases the polls held on it, whichever node took the post.
 *
 * Its epoch lives in Redis and is only made anew when Redis has none: a
 * fresh Redis, or one that lost its data. Every script returns it, so a
 * node notices a change at its next call and tells its listeners to resync.
 *
 * The appends a node hears tell it each room's newest id, in order, for as
 * long as its subscription holds: a poll that has seen that id already and
 * will be held is held without asking Redis, which is what most polls are;
 * an append it has not heard yet releases it as soon as it is heard. (A poll
 * answered at once always asks Redis: it must see every post already
 * answered, whichever node took it.) A reconnection, an epoch change or a
 * deleted room forgets it.
 */
export class RedisMessageStore implements MessageStore {
  private limits: StoreLimits = DEFAULT_LIMITS;
  private current = '';
  private readonly listeners = new Set<StoreListener>();
  private readonly known = new Map<string, number>();
  private readonly reads = new CoalescedReads((room, since, count) => this.readFromRedis(room, since, count));
  /** The epoch a script makes should Redis have none; drawn anew once one of them is taken. */
  private candidate = nanoid();
  private readonly scripts: Record<ScriptName, Script>;

  private constructor(
    private readonly client: Redis,
    private readonly events: RedisEvents,
    private readonly prefix: string,
    private readonly now: () => number,
  ) {
    this.scripts = Object.fromEntries(SCRIPTS.map((name) => [name, new Script(client, new URL('./', import.meta.url), name)])) as Record<ScriptName, Script>;
  }

  /** open defines the scripts, reads (or makes) the epoch and subscribes to the events of every node. */
  static async open(client: Redis, events: RedisEvents, prefix: string, now: () => number): Promise<RedisMessageStore> {
    const store = new RedisMessageStore(client, events, prefix, now);
    await store.roomCount();
    await store.listen();
    return store;
  }

  get epoch(): string {
    return this.current;
  }

  configure(limits: Partial<StoreLimits>): void {
    this.limits = { ...this.limits, ...limits };
  }

  async roomCount(): Promise<number> {
    const [epoch, posted] = await this.run('stats', this.candidate);
    this.noteEpoch(epoch as string);
    return Number(posted);
  }

  async append(draft: Draft): Promise<AppendResult> {
    const time = this.now();
    const nonceKey = draft.nonce === undefined ? '' : `${draft.author}\u0000${draft.nonce}`;
    const rest: Omit<Message, 'id'> = {
      room: draft.room, type: draft.type, author: draft.author, text: draft.text, time,
      ...(draft.nonce === undefined ? {} : { nonce: draft.nonce }),
    };
    // The script puts the id in front: {"id":N,"room":…}, as the memory store writes it.
    const after = `,${JSON.stringify(rest).slice(1)}`;
    const { capacity, maxRooms, maxBytes } = this.limits;
    const [kind, epoch, id, json] = await this.run('append', draft.room, draft.type, nonceKey, after, time, capacity, maxRooms, maxBytes, this.candidate);
    this.noteEpoch(epoch as string);
    if (kind === 'room-limit') return { kind };
    if (kind === 'duplicate') return { kind, entry: new StoredEntry(json as string) };
    const message = { id: Number(id), ...rest } as Message;
    return { kind: 'appended', entry: { message, json: json as string, bytes: Buffer.byteLength(json as string) } };
  }

  read(room: string, since: number, limit: number, waiting = false): Slice | Promise<Slice> {
    // Anything newer than what this node heard is on its way to it as an event, which the waiting caller waits for.
    if (waiting && this.events.listening && this.known.get(room) === since) return { entries: NOTHING, lastId: since, firstId: since + 1 };
    return this.reads.read(room, since, limit);
  }

  private async readFromRedis(room: string, since: number, limit: number): Promise<Slice> {
    const [epoch, lastId, firstId, ...jsons] = await this.run('read', room, since, limit, this.candidate);
    this.noteEpoch(epoch as string);
    return { entries: jsons.map((json) => new StoredEntry(json)), lastId: Number(lastId), firstId: Number(firstId) };
  }

  async tallies(rooms: readonly string[]): Promise<RoomTally[]> {
    if (rooms.length === 0) return [];
    return [...tallyList(await this.run('tallies', 0, 0, ...rooms))].map(([, tally]) => tally);
  }

  async recent(limit: number, hidden: (rooms: readonly string[]) => MaybePromise<ReadonlySet<string>>): Promise<[string, RoomTally][]> {
    const found: [string, RoomTally][] = [];
    for (let from = 0; found.length < limit; from += RECENT_PAGE) {
      const page = [...tallyList(await this.run('tallies', from, RECENT_PAGE))];
      const skip = await hidden(page.map(([name]) => name));
      for (const [name, tally] of page) if (found.length < limit && !skip.has(name)) found.push([name, tally]);
      if (page.length < RECENT_PAGE) break;
    }
    return found;
  }

  async delete(room: string): Promise<void> {
    this.noteEpoch((await this.run('delete', room, this.candidate)) as unknown as string);
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** close ends both connections; calls under way fail. */
  async close(): Promise<void> {
    this.events.close();
    await this.client.quit().catch(() => this.client.disconnect());
  }

  private run(script: ScriptName, ...args: (string | number)[]): Promise<Reply> {
    return this.scripts[script].run(this.prefix, ...args);
  }

  /** listen hears every node's events; while it cannot, what it learnt of the rooms' newest ids is forgotten. */
  private listen(): Promise<void> {
    return this.events.listen(`${this.prefix}events`, {
      message: (payload) => this.heard(payload),
      lost: () => {
        this.known.clear();
        this.tell({ kind: 'unavailable' });
      },
      resumed: () => this.tell({ kind: 'resync' }),
    });
  }

  /** heard reads one published event: kind, room, epoch and (for an append) the entry's JSON, one per line. */
  private heard(payload: string): void {
    const first = payload.indexOf('\n');
    const second = payload.indexOf('\n', first + 1);
    const third = payload.indexOf('\n', second + 1);
    const room = payload.slice(first + 1, second);
    this.noteEpoch(payload.slice(second + 1, third));
    if (payload.startsWith('d')) {
      this.known.delete(room);
      this.tell({ kind: 'deleted', room });
      return;
    }
    const entry = new StoredEntry(payload.slice(third + 1));
    if (this.known.size >= MAX_KNOWN_ROOMS && !this.known.has(room)) this.known.clear();
    this.known.set(room, entry.message.id);
    this.tell({ kind: 'appended', entry });
  }

  /** noteEpoch adopts the epoch Redis holds: a new one means Redis lost the history, and every held poll must look again. */
  private noteEpoch(epoch: string): void {
    if (epoch === this.current) return;
    const first = this.current === '';
    this.current = epoch;
    if (epoch === this.candidate) this.candidate = nanoid();
    this.known.clear();
    if (!first) this.tell({ kind: 'resync' });
  }

  private tell(event: StoreEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

/** tallyList reads the tallies script's answer: name, last id, messages, active, for each room. */
function* tallyList(reply: Reply): Generator<[string, RoomTally]> {
  for (let i = 0; i + 3 < reply.length; i += 4) {
    yield [reply[i] as string, { lastId: Number(reply[i + 1]), messages: Number(reply[i + 2]), active: Number(reply[i + 3]) }];
  }
}
