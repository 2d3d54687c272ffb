import type { Message } from '../protocol/packets.ts';

/**
 * MessageStore is what the Storage component keeps history in: the rooms'
 * retained messages with their ids, the nonces that make posts retry-safe,
 * and the epoch that says whether a client's ids still mean anything.
 * The in-memory store is the first; the contract tests run over every one.
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

export interface MessageStore {
  readonly epoch: string;
  /** Rooms holding posted messages (PROTOCOL.md: what /health counts). */
  readonly roomCount: number;
  /** Changes the limits; rooms keep what they hold up to the new capacity on their next append. */
  configure(limits: Partial<StoreLimits>): void;
  append(draft: Draft): AppendResult;
  /** Up to `limit` entries with ids above `since`, oldest first. */
  read(room: string, since: number, limit: number): Slice;
  /** The room's counts; zeros for a room with no messages. */
  tally(room: string): RoomTally;
  /** Every room holding entries, with its counts, the most recently active first. */
  rooms(): IterableIterator<[name: string, tally: RoomTally]>;
  /** Deletes a room and its history (a private room whose last member left); its ids start at 1 again. */
  delete(room: string): void;
}
