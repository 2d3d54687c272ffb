import { nanoid } from 'nanoid';
import type { Message } from '../protocol/packets.ts';
import { Ring } from './ring.ts';
import type { AppendResult, Draft, Entry, MessageStore, RoomTally, Slice, StoreLimits } from './store.ts';

/** DEFAULT_LIMITS are the store's bounds when graph.json sets none. */
export const DEFAULT_LIMITS: StoreLimits = Object.freeze({ capacity: 1000, maxRooms: 10_000 });

interface Room {
  readonly ring: Ring<Entry>;
  lastId: number;
  messages: number;
  /** `author NUL nonce` → entry, for the retained entries that carry a nonce. */
  readonly nonces: Map<string, Entry>;
  /** What a read finds when nothing is new, made once per message rather than once per poll. */
  upToDate: Slice | undefined;
}

const NO_ROOM: RoomTally = Object.freeze({ lastId: 0, messages: 0 });

const NOTHING: readonly Entry[] = Object.freeze([]);
const NO_SLICE: Slice = Object.freeze({ entries: NOTHING, lastId: 0, firstId: 1 });

const tallyOf = ({ lastId, messages }: Room): RoomTally => ({ lastId, messages });

// Authors never hold control characters, so NUL cannot be forged into a key.
const nonceKey = (author: string, nonce: string): string => `${author}\u0000${nonce}`;

/**
 * MemoryStore keeps each room's newest messages in a ring. Its epoch is drawn
 * anew each time it is made: a restart loses history, so clients must reset.
 */
export class MemoryStore implements MessageStore {
  readonly epoch = nanoid();
  private readonly byName = new Map<string, Room>();
  private limits: StoreLimits;

  constructor(limits: Partial<StoreLimits> = {}, private readonly now: () => number = Date.now) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  get roomCount(): number {
    return this.byName.size;
  }

  /** configure sets the limits for rooms opened from now on. */
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
      if (this.byName.size >= this.limits.maxRooms) return { kind: 'room-limit' };
      room = { ring: new Ring(this.limits.capacity), lastId: 0, messages: 0, nonces: new Map(), upToDate: undefined };
      this.byName.set(draft.room, room);
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
    const entry: Entry = { message, json: JSON.stringify(message) };
    room.lastId = message.id;
    room.upToDate = undefined;
    if (message.type === 'message') room.messages++;
    const dropped = room.ring.push(entry);
    if (dropped?.message.nonce !== undefined) room.nonces.delete(nonceKey(dropped.message.author, dropped.message.nonce));
    if (message.nonce !== undefined) room.nonces.set(nonceKey(message.author, message.nonce), entry);
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

  tally(roomName: string): RoomTally {
    const room = this.byName.get(roomName);
    return room === undefined ? NO_ROOM : tallyOf(room);
  }

  delete(roomName: string): void {
    this.byName.delete(roomName);
  }

  *rooms(): IterableIterator<[string, RoomTally]> {
    for (const [name, room] of this.byName) yield [name, tallyOf(room)];
  }
}
