import type { MaybePromise } from '../util/maybe-promise.ts';
import type { Message } from '../protocol/packets.ts';

/**
 * MessageStore is what the Storage component keeps history in: the rooms'
 * retained messages with their ids, the nonces that make posts retry-safe,
 * and the epoch that says whether a client's ids still mean anything. Two
 * back-ends keep it: memory (one process) and Redis (shared by every node);
 * one contract suite runs over both (test/storage/store-contract.ts).
 */

/** Entry is a stored message and its JSON, made once when it is stored. */
export interface Entry {
  readonly message: Message;
  readonly json: string;
  /** The JSON's length in UTF-8: what the entry costs of the byte budget. */
  readonly bytes: number;
}

/** Draft is a message before the store gives it an id and a time. */
export interface Draft {
  readonly room: string;
  readonly type: Message['type'];
  readonly author: string;
  readonly text: string;
  readonly nonce?: string | undefined;
}

export type AppendResult =
  | { readonly kind: 'appended'; readonly entry: Entry }
  /** The same room, author and nonce were posted before and are still retained. */
  | { readonly kind: 'duplicate'; readonly entry: Entry }
  /** Storing it would open a room beyond the limit on rooms. */
  | { readonly kind: 'room-limit' };

/** Slice is what a read finds after `since`. */
export interface Slice {
  readonly entries: readonly Entry[];
  /** The room's newest id, 0 for a room with no messages. */
  readonly lastId: number;
  /** The oldest retained id, lastId + 1 when nothing is retained. */
  readonly firstId: number;
}

/** RoomTally counts what a room has had since the epoch. */
export interface RoomTally {
  /** The newest id, 0 for a room with no messages. */
  readonly lastId: number;
  /**
   * How many of those entries are messages people posted, leaving out join
   * and leave lines: what a client counts as unread.
   */
  readonly messages: number;
  /** When the room last had an entry appended (ms since the Unix epoch), 0 for none. */
  readonly active: number;
}

export interface StoreLimits {
  /** Messages retained per room; older ones are dropped. */
  readonly capacity: number;
  /**
   * Rooms holding posted messages at once. Rooms holding only join and leave
   * lines do not count, but they are forgotten, least recently active first,
   * before the rooms of all kinds together would pass this number.
   */
  readonly maxRooms: number;
  /** Bytes of retained messages, all rooms together; beyond them the oldest of the least recently active rooms go. */
  readonly maxBytes: number;
}

/**
 * StoreEvent is what a store tells its listeners, whichever node caused it:
 * what releases held polls.
 */
export type StoreEvent =
  | { readonly kind: 'appended'; readonly entry: Entry }
  /** A room was deleted with its history. */
  | { readonly kind: 'deleted'; readonly room: string }
  /** Events may have been missed (the store's connection came back, or its epoch changed): every held poll must look again. */
  | { readonly kind: 'resync' }
  /** The store cannot be reached: held polls get what they have now. */
  | { readonly kind: 'unavailable' };

export type StoreListener = (event: StoreEvent) => void;

export interface MessageStore {
  /** The epoch of the history as last seen; a shared store may change it when it has lost its data. */
  readonly epoch: string;
  /** Changes the limits; rooms keep what they hold up to the new capacity on their next append. */
  configure(limits: Partial<StoreLimits>): void;
  /** Rooms holding posted messages (PROTOCOL.md: what /health counts). */
  roomCount(): MaybePromise<number>;
  append(draft: Draft): MaybePromise<AppendResult>;
  /**
   * Up to `limit` entries with ids above `since`, oldest first. `waiting`
   * says the caller will wait for the next append should nothing be new (a
   * held poll): a shared store may then answer "nothing new" from the
   * appends it has heard, without asking, as the next one will come as an
   * event.
   */
  read(room: string, since: number, limit: number, waiting?: boolean): MaybePromise<Slice>;
  /** Each room's counts, in the order asked; zeros for a room with no messages. */
  tallies(rooms: readonly string[]): MaybePromise<RoomTally[]>;
  /** Up to `limit` rooms holding entries, with their counts, the most recently active first, leaving out those `hidden` names of each page of them. */
  recent(limit: number, hidden: (rooms: readonly string[]) => MaybePromise<ReadonlySet<string>>): MaybePromise<[name: string, tally: RoomTally][]>;
  /** Deletes a room and its history (a private room whose last member left); its ids start at 1 again. */
  delete(room: string): MaybePromise<void>;
  /** Tells `listener` of every event from now on; the returned function stops that. */
  subscribe(listener: StoreListener): () => void;
}
