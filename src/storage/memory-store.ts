import { nanoid } from 'nanoid';
import { LinkedList, type Linked } from '../util/linked-list.ts';
import { after, type MaybePromise } from '../util/maybe-promise.ts';
import type { Message } from '../protocol/packets.ts';
import { Ring } from './ring.ts';
import type { AppendResult, Draft, Entry, MessageStore, RoomTally, Slice, StoreEvent, StoreLimits, StoreListener } from './store.ts';

/** DEFAULT_LIMITS are the store's bounds when graph.json and the settings give none. */
export const DEFAULT_LIMITS: StoreLimits = Object.freeze({ capacity: 1000, maxRooms: 10_000, maxBytes: 256 * 1024 * 1024 });

/** Room is one room's retained entries, linked into the store's list of rooms by recent activity. */
interface Room extends Linked {
  readonly name: string;
  ring: Ring<Entry>;
  lastId: number;
  messages: number;
  active: number;
  /** UTF-8 bytes of the retained entries. */
  bytes: number;
  /** `author NUL nonce` → entry, for the retained entries that carry a nonce. */
  readonly nonces: Map<string, Entry>;
  /** What a read finds when nothing is new, made once per message rather than once per poll. */
  upToDate: Slice | undefined;
}

// Rooms a listing looks at before asking which of them are private.
const RECENT_PAGE = 256;

const NO_ROOM: RoomTally = Object.freeze({ lastId: 0, messages: 0, active: 0 });

const NOTHING: readonly Entry[] = Object.freeze([]);
const NO_SLICE: Slice = Object.freeze({ entries: NOTHING, lastId: 0, firstId: 1 });

const tallyOf = ({ lastId, messages, active }: Room): RoomTally => ({ lastId, messages, active });

// Authors never hold control characters, so NUL cannot be forged into a key.
const nonceKey = (author: string, nonce: string): string => `${author}\u0000${nonce}`;

/**
 * MemoryStore keeps each room's newest messages in a ring. Its epoch is drawn
 * anew each time it is made: a restart loses history, so clients must reset.
 *
 * Its rooms sit in one list, least recently active first: the bounds take
 * from that end. A room that holds only join and leave lines is forgotten
 * first, whole; then the oldest entries of the least recently active rooms
 * go, one by one, until the retained bytes are within the budget (a room
 * keeps its ids, so its readers see `truncated`).
 */
export class MemoryStore implements MessageStore {
  readonly epoch = nanoid();
  private readonly byName = new Map<string, Room>();
  private readonly byActivity = new LinkedList<Room>();
  private limits: StoreLimits;
  private postedRooms = 0;
  private bytes = 0;
  private readonly listeners = new Set<StoreListener>();

  constructor(limits: Partial<StoreLimits> = {}, private readonly now: () => number = Date.now) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  roomCount(): number {
    return this.postedRooms;
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** configure changes the limits, from the next append on (a room's capacity at its own next append). */
  configure(limits: Partial<StoreLimits>): void {
    this.limits = { ...this.limits, ...limits };
  }

  append(draft: Draft): AppendResult {
    let room = this.byName.get(draft.room);
    if (room !== undefined && draft.nonce !== undefined) {
      const earlier = room.nonces.get(nonceKey(draft.author, draft.nonce));
      if (earlier !== undefined) return { kind: 'duplicate', entry: earlier };
    }
    if (room === undefined) {
      room = this.open(draft);
      if (room === undefined) return { kind: 'room-limit' };
    }
    const message: Message = {
      id: room.lastId + 1,
      room: draft.room,
      type: draft.type,
      author: draft.author,
      text: draft.text,
      time: this.now(),
      ...(draft.nonce === undefined ? {} : { nonce: draft.nonce }),
    };
    const json = JSON.stringify(message);
    const entry: Entry = { message, json, bytes: Buffer.byteLength(json) };
    room.lastId = message.id;
    room.active = message.time;
    room.upToDate = undefined;
    if (message.type === 'message' && room.messages++ === 0) this.postedRooms++;
    this.byActivity.remove(room);
    this.byActivity.push(room);
    if (room.ring.capacity !== this.limits.capacity) this.resize(room);
    const dropped = room.ring.push(entry);
    if (dropped !== undefined) this.dropped(room, dropped);
    if (message.nonce !== undefined) room.nonces.set(nonceKey(message.author, message.nonce), entry);
    room.bytes += entry.bytes;
    this.bytes += entry.bytes;
    this.keepWithinBytes(room);
    this.tell({ kind: 'appended', entry });
    return { kind: 'appended', entry };
  }

  read(roomName: string, since: number, limit: number): Slice {
    const room = this.byName.get(roomName);
    if (room === undefined) return NO_SLICE;
    const firstId = room.lastId - room.ring.size + 1;
    // Most polls are held: they find nothing new, and every one of them would otherwise make an empty slice.
    if (since >= room.lastId) return (room.upToDate ??= { entries: NOTHING, lastId: room.lastId, firstId });
    const from = Math.max(since + 1, firstId);
    const entries: Entry[] = [];
    for (let id = from; id <= room.lastId && entries.length < limit; id++) {
      entries.push(room.ring.at(id - firstId) as Entry);
    }
    return { entries, lastId: room.lastId, firstId };
  }

  tallies(names: readonly string[]): RoomTally[] {
    return names.map((name) => {
      const room = this.byName.get(name);
      return room === undefined ? NO_ROOM : tallyOf(room);
    });
  }

  delete(roomName: string): void {
    this.forget(roomName);
    this.tell({ kind: 'deleted', room: roomName });
  }

  recent(limit: number, hidden: (rooms: readonly string[]) => MaybePromise<ReadonlySet<string>>): MaybePromise<[string, RoomTally][]> {
    const found: [string, RoomTally][] = [];
    // A page at a time, the most recently active first, until `limit` are found.
    const page = (from: Room | undefined): MaybePromise<[string, RoomTally][]> => {
      const rooms: Room[] = [];
      let room = from;
      for (; room !== undefined && rooms.length < RECENT_PAGE; room = room.prev as Room | undefined) rooms.push(room);
      return after(hidden(rooms.map(({ name }) => name)), (skip) => {
        for (const r of rooms) if (found.length < limit && !skip.has(r.name)) found.push([r.name, tallyOf(r)]);
        return found.length < limit && room !== undefined ? page(room) : found;
      });
    };
    return page(this.byActivity.tail);
  }

  private tell(event: StoreEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  /** forget deletes a room without telling listeners (a room given up for a bound): polls held there see its ids start again with its next entry. */
  private forget(roomName: string): void {
    const room = this.byName.get(roomName);
    if (room === undefined) return;
    this.byName.delete(roomName);
    this.byActivity.remove(room);
    this.bytes -= room.bytes;
    if (room.messages > 0) this.postedRooms--;
  }

  /** open makes a room for a draft, forgetting a presence-only room if the rooms are at their limit; undefined when none may open. */
  private open(draft: Draft): Room | undefined {
    if (draft.type === 'message' && this.postedRooms >= this.limits.maxRooms) return undefined;
    if (this.byName.size >= this.limits.maxRooms && !this.forgetPresenceOnly(undefined)) return undefined;
    const room: Room = {
      name: draft.room, ring: new Ring(this.limits.capacity), lastId: 0, messages: 0, active: 0, bytes: 0,
      nonces: new Map(), upToDate: undefined, prev: undefined, next: undefined, list: undefined,
    };
    this.byName.set(draft.room, room);
    return room;
  }

  /** forgetPresenceOnly deletes the least recently active room holding only join and leave lines, other than `keep`; false when there is none. */
  private forgetPresenceOnly(keep: Room | undefined): boolean {
    for (let room = this.byActivity.head; room !== undefined; room = room.next as Room | undefined) {
      if (room.messages === 0 && room !== keep) {
        this.forget(room.name);
        return true;
      }
    }
    return false;
  }

  /** keepWithinBytes gives up presence-only rooms, then the oldest entries of the least recently active rooms, until the budget holds; `current` keeps its newest entry. */
  private keepWithinBytes(current: Room): void {
    while (this.bytes > this.limits.maxBytes && this.forgetPresenceOnly(current));
    for (let room = this.byActivity.head; this.bytes > this.limits.maxBytes && room !== undefined; ) {
      const keep = room === current ? 1 : 0;
      if (room.ring.size > keep) {
        this.dropped(room, room.ring.shift() as Entry);
        room.upToDate = undefined;
      } else {
        room = room.next as Room | undefined;
      }
    }
  }

  /** resize gives a room a ring of the capacity now set, keeping its newest messages (a reload changed it). */
  private resize(room: Room): void {
    const old = room.ring;
    room.ring = new Ring<Entry>(this.limits.capacity);
    for (let i = 0; i < old.size; i++) {
      const dropped = room.ring.push(old.at(i) as Entry);
      if (dropped !== undefined) this.dropped(room, dropped);
    }
  }

  /** dropped forgets what an entry leaving a room's ring held: its bytes and its nonce. */
  private dropped(room: Room, entry: Entry): void {
    room.bytes -= entry.bytes;
    this.bytes -= entry.bytes;
    if (entry.message.nonce !== undefined) room.nonces.delete(nonceKey(entry.message.author, entry.message.nonce));
  }
}
