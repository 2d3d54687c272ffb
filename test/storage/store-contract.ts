import { describe, expect, it } from 'vitest';
import type { MessageStore, StoreLimits } from '../../src/storage/store.ts';

/**
 * The contract every MessageStore keeps, run over each back-end (hono runs
 * one router suite over every router the same way).
 */
export function storeContract(name: string, make: (limits?: Partial<StoreLimits>) => MessageStore): void {
  const draft = (text: string, extra: { room?: string; author?: string; nonce?: string; type?: 'message' | 'join' | 'leave' } = {}) => ({
    room: extra.room ?? 'lobby',
    type: extra.type ?? 'message',
    author: extra.author ?? 'alice',
    text,
    nonce: extra.nonce,
  });

  const appendedId = (store: MessageStore, text: string, extra?: Parameters<typeof draft>[1]) => {
    const result = store.append(draft(text, extra));
    if (result.kind !== 'appended') throw new Error(`expected appended, got ${result.kind}`);
    return result.entry.message.id;
  };

  describe(`MessageStore contract: ${name}`, () => {
    it('deletes a room with its history, leaving the others', () => {
      const store = make();
      appendedId(store, 'secret', { room: 'gone' });
      appendedId(store, 'kept', { room: 'stays' });
      store.delete('gone');
      expect(store.read('gone', 0, 10).entries).toEqual([]);
      expect(store.tally('gone')).toEqual({ lastId: 0, messages: 0 });
      expect([...store.rooms()].map(([name]) => name)).toEqual(['stays']);
      expect(appendedId(store, 'new', { room: 'gone' })).toBe(1);
    });

    it('gives ids 1, 2, 3 per room, with no gap and no repeat', () => {
      const store = make();
      const ids = ['a', 'b', 'a', 'a', 'b', 'c'].map((room) => appendedId(store, 'x', { room }));
      expect(ids).toEqual([1, 1, 2, 3, 2, 1]);
      expect(store.tally('a').lastId).toBe(3);
      expect(store.tally('none')).toEqual({ lastId: 0, messages: 0 });
    });

    it('counts the messages people posted apart from join and leave lines, past what it retains', () => {
      const store = make({ capacity: 2 });
      for (const type of ['join', 'message', 'message', 'leave', 'message'] as const) appendedId(store, 'x', { type });
      appendedId(store, 'x', { room: 'b', type: 'join' });
      expect(store.tally('lobby')).toEqual({ lastId: 5, messages: 3 });
      expect(new Map(store.rooms())).toEqual(
        new Map([['lobby', { lastId: 5, messages: 3 }], ['b', { lastId: 1, messages: 0 }]]),
      );
    });

    it('stores each entry with its JSON made once', () => {
      const store = make();
      const result = store.append(draft('hé "quoted" <b>', { nonce: 'n' }));
      if (result.kind !== 'appended') throw new Error(result.kind);
      expect(JSON.parse(result.entry.json)).toEqual(result.entry.message);
      expect(result.entry.message.text).toBe('hé "quoted" <b>');
    });

    it('reads after since, oldest first, up to a limit', () => {
      const store = make();
      for (let i = 1; i <= 10; i++) appendedId(store, String(i));
      const slice = store.read('lobby', 3, 4);
      expect(slice.entries.map((e) => e.message.id)).toEqual([4, 5, 6, 7]);
      expect(slice).toMatchObject({ lastId: 10, firstId: 1 });
      expect(store.read('lobby', 10, 5).entries).toEqual([]);
      expect(store.read('empty', 0, 5)).toEqual({ entries: [], lastId: 0, firstId: 1 });
    });

    it('retains the newest `capacity` messages', () => {
      const store = make({ capacity: 3 });
      for (let i = 1; i <= 7; i++) appendedId(store, String(i));
      const slice = store.read('lobby', 0, 100);
      expect(slice.entries.map((e) => e.message.text)).toEqual(['5', '6', '7']);
      expect(slice.firstId).toBe(5);
    });

    it('finds a retained post by room, author and nonce', () => {
      const store = make({ capacity: 2 });
      appendedId(store, 'one', { nonce: 'n' });
      expect(store.append(draft('again', { nonce: 'n' }))).toMatchObject({ kind: 'duplicate', entry: { message: { id: 1, text: 'one' } } });
      appendedId(store, 'two');
      appendedId(store, 'three');
      expect(store.append(draft('again', { nonce: 'n' })).kind).toBe('appended');
    });

    it('refuses to open a room beyond maxRooms', () => {
      const store = make({ maxRooms: 1 });
      appendedId(store, 'x', { room: 'a' });
      expect(store.append(draft('x', { room: 'b' }))).toEqual({ kind: 'room-limit' });
      expect(store.roomCount).toBe(1);
      expect(store.tally('b').lastId).toBe(0);
    });

    it('has a URL-safe epoch', () => {
      expect(make().epoch).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    });
  });
}
