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
    it('lists its rooms the most recently active first, and counts only those holding posted messages', () => {
      const store = make();
      appendedId(store, 'x', { room: 'a' });
      appendedId(store, 'x', { room: 'b' });
      appendedId(store, 'bob joined', { room: 'c', type: 'join', author: 'bob' });
      appendedId(store, 'x', { room: 'a' });
      expect([...store.rooms()].map(([name]) => name)).toEqual(['a', 'c', 'b']);
      expect(store.roomCount).toBe(2);
    });

    it('keeps rooms holding only join and leave lines outside the limit on rooms, forgetting them first, least recently active first', () => {
      const store = make({ maxRooms: 2 });
      appendedId(store, 'x', { room: 'posted' });
      appendedId(store, 'bob joined', { room: 'lines1', type: 'join', author: 'bob' });
      // A third room: the presence-only one goes to make room, never the posted one.
      appendedId(store, 'carol joined', { room: 'lines2', type: 'join', author: 'carol' });
      expect([...store.rooms()].map(([name]) => name)).toEqual(['lines2', 'posted']);
      appendedId(store, 'y', { room: 'posted2' });
      expect([...store.rooms()].map(([name]) => name)).toEqual(['posted2', 'posted']);
      expect(store.roomCount).toBe(2);
      // Two rooms hold posts: a third may not open for a post, nor for a join line.
      expect(store.append(draft('z', { room: 'posted3' })).kind).toBe('room-limit');
      expect(store.append(draft('dan joined', { room: 'lines3', type: 'join', author: 'dan' })).kind).toBe('room-limit');
    });

    it('keeps within its byte budget: presence-only rooms go first, then the oldest messages of the least recently active rooms', () => {
      const text = 'x'.repeat(1000);
      const store = make({ maxBytes: 5_000 });
      appendedId(store, text, { room: 'old' });
      appendedId(store, text, { room: 'old' });
      appendedId(store, 'erin joined', { room: 'lines', type: 'join', author: 'erin' });
      appendedId(store, text, { room: 'new' });
      appendedId(store, text, { room: 'new' });
      expect([...store.rooms()].map(([name]) => name)).toEqual(['new', 'lines', 'old']);
      appendedId(store, text, { room: 'new' });
      // Over 5,000 bytes: the join lines' room goes first, then old's oldest message.
      expect([...store.rooms()].map(([name]) => name)).toEqual(['new', 'old']);
      expect(store.read('old', 0, 10).entries.map((e) => e.message.id)).toEqual([2]);
      expect(store.read('old', 0, 10).firstId).toBe(2);
      expect(store.read('new', 0, 10).entries.map((e) => e.message.id)).toEqual([1, 2, 3]);
      // A room keeps its ids when its messages go: the next is 3, not 1.
      expect(appendedId(store, text, { room: 'old' })).toBe(3);
      expect(store.read('new', 0, 10).entries.map((e) => e.message.id)).toEqual([2, 3]);
    });

    it('keeps a room\'s newest message even when it alone is over the budget', () => {
      const store = make({ maxBytes: 500 });
      appendedId(store, 'x'.repeat(400));
      appendedId(store, 'y'.repeat(400));
      expect(store.read('lobby', 0, 10).entries.map((e) => e.message.text[0])).toEqual(['y']);
    });

    it('deletes a room with its history, leaving the others', () => {
      const store = make();
      appendedId(store, 'secret', { room: 'gone' });
      appendedId(store, 'kept', { room: 'stays' });
      store.delete('gone');
      expect(store.read('gone', 0, 10).entries).toEqual([]);
      expect(store.tally('gone')).toEqual({ lastId: 0, messages: 0, active: 0 });
      expect([...store.rooms()].map(([name]) => name)).toEqual(['stays']);
      expect(appendedId(store, 'new', { room: 'gone' })).toBe(1);
    });

    it('gives ids 1, 2, 3 per room, with no gap and no repeat', () => {
      const store = make();
      const ids = ['a', 'b', 'a', 'a', 'b', 'c'].map((room) => appendedId(store, 'x', { room }));
      expect(ids).toEqual([1, 1, 2, 3, 2, 1]);
      expect(store.tally('a').lastId).toBe(3);
      expect(store.tally('none')).toEqual({ lastId: 0, messages: 0, active: 0 });
    });

    it('counts the messages people posted apart from join and leave lines, past what it retains', () => {
      const store = make({ capacity: 2 });
      for (const type of ['join', 'message', 'message', 'leave', 'message'] as const) appendedId(store, 'x', { type });
      appendedId(store, 'x', { room: 'b', type: 'join' });
      expect(store.tally('lobby')).toEqual({ lastId: 5, messages: 3, active: expect.any(Number) });
      expect([...store.rooms()].map(([name, { lastId, messages }]) => [name, { lastId, messages }])).toEqual([
        ['b', { lastId: 1, messages: 0 }],
        ['lobby', { lastId: 5, messages: 3 }],
      ]);
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
