import { expect, it } from 'vitest';
import type { MessageStore, RoomTally, StoreLimits } from '../../src/storage/store.ts';

/**
 * The contract every MessageStore keeps, run over each back-end (hono runs
 * one router suite over every router the same way).
 */
export function storeContract(make: (limits?: Partial<StoreLimits>) => Promise<MessageStore>): void {
  const draft = (text: string, extra: { room?: string; author?: string; nonce?: string; type?: 'message' | 'join' | 'leave' } = {}) => ({
    room: extra.room ?? 'lobby',
    type: extra.type ?? 'message',
    author: extra.author ?? 'alice',
    text,
    nonce: extra.nonce,
  });

  const appendedId = async (store: MessageStore, text: string, extra?: Parameters<typeof draft>[1]) => {
    const result = await store.append(draft(text, extra));
    if (result.kind !== 'appended') throw new Error(`expected appended, got ${result.kind}`);
    return result.entry.message.id;
  };

  const tally = async (store: MessageStore, room: string): Promise<RoomTally | undefined> => (await store.tallies([room]))[0];
  const rooms = (store: MessageStore) => store.recent(1_000, () => new Set());
  const names = async (store: MessageStore) => (await rooms(store)).map(([name]) => name);
  {
    it('lists its rooms the most recently active first, and counts only those holding posted messages', async () => {
      const store = await make();
      await appendedId(store, 'x', { room: 'a' });
      await appendedId(store, 'x', { room: 'b' });
      await appendedId(store, 'bob joined', { room: 'c', type: 'join', author: 'bob' });
      await appendedId(store, 'x', { room: 'a' });
      expect(await names(store)).toEqual(['a', 'c', 'b']);
      expect(await store.roomCount()).toBe(2);
    });

    it('keeps rooms holding only join and leave lines outside the limit on rooms, forgetting them first, least recently active first', async () => {
      const store = await make({ maxRooms: 2 });
      await appendedId(store, 'x', { room: 'posted' });
      await appendedId(store, 'bob joined', { room: 'lines1', type: 'join', author: 'bob' });
      // A third room: the presence-only one goes to make room, never the posted one.
      await appendedId(store, 'carol joined', { room: 'lines2', type: 'join', author: 'carol' });
      expect(await names(store)).toEqual(['lines2', 'posted']);
      await appendedId(store, 'y', { room: 'posted2' });
      expect(await names(store)).toEqual(['posted2', 'posted']);
      expect(await store.roomCount()).toBe(2);
      // Two rooms hold posts: a third may not open for a post, nor for a join line.
      expect((await store.append(draft('z', { room: 'posted3' }))).kind).toBe('room-limit');
      expect((await store.append(draft('dan joined', { room: 'lines3', type: 'join', author: 'dan' }))).kind).toBe('room-limit');
    });

    it('keeps within its byte budget: presence-only rooms go first, then the oldest messages of the least recently active rooms', async () => {
      const text = 'x'.repeat(1000);
      const store = await make({ maxBytes: 5_000 });
      await appendedId(store, text, { room: 'old' });
      await appendedId(store, text, { room: 'old' });
      await appendedId(store, 'erin joined', { room: 'lines', type: 'join', author: 'erin' });
      await appendedId(store, text, { room: 'new' });
      await appendedId(store, text, { room: 'new' });
      expect(await names(store)).toEqual(['new', 'lines', 'old']);
      await appendedId(store, text, { room: 'new' });
      // Over 5,000 bytes: the join lines' room goes first, then old's oldest message.
      expect(await names(store)).toEqual(['new', 'old']);
      expect((await store.read('old', 0, 10)).entries.map((e) => e.message.id)).toEqual([2]);
      expect((await store.read('old', 0, 10)).firstId).toBe(2);
      expect((await store.read('new', 0, 10)).entries.map((e) => e.message.id)).toEqual([1, 2, 3]);
      // A room keeps its ids when its messages go: the next is 3, not 1.
      expect(await appendedId(store, text, { room: 'old' })).toBe(3);
      expect((await store.read('new', 0, 10)).entries.map((e) => e.message.id)).toEqual([2, 3]);
    });

    it('keeps a room\'s newest message even when it alone is over the budget', async () => {
      const store = await make({ maxBytes: 500 });
      await appendedId(store, 'x'.repeat(400));
      await appendedId(store, 'y'.repeat(400));
      expect((await store.read('lobby', 0, 10)).entries.map((e) => e.message.text[0])).toEqual(['y']);
    });

    it('deletes a room with its history, leaving the others', async () => {
      const store = await make();
      await appendedId(store, 'secret', { room: 'gone' });
      await appendedId(store, 'kept', { room: 'stays' });
      store.delete('gone');
      expect((await store.read('gone', 0, 10)).entries).toEqual([]);
      expect((await tally(store, 'gone'))).toEqual({ lastId: 0, messages: 0, active: 0 });
      expect(await names(store)).toEqual(['stays']);
      expect(await appendedId(store, 'new', { room: 'gone' })).toBe(1);
    });

    it('gives ids 1, 2, 3 per room, with no gap and no repeat', async () => {
      const store = await make();
      const ids: number[] = [];
      for (const room of ['a', 'b', 'a', 'a', 'b', 'c']) ids.push(await appendedId(store, 'x', { room }));
      expect(ids).toEqual([1, 1, 2, 3, 2, 1]);
      expect((await tally(store, 'a'))?.lastId).toBe(3);
      expect(await tally(store, 'none')).toEqual({ lastId: 0, messages: 0, active: 0 });
    });

    it('counts the messages people posted apart from join and leave lines, past what it retains', async () => {
      const store = await make({ capacity: 2 });
      for (const type of ['join', 'message', 'message', 'leave', 'message'] as const) await appendedId(store, 'x', { type });
      await appendedId(store, 'x', { room: 'b', type: 'join' });
      expect((await tally(store, 'lobby'))).toEqual({ lastId: 5, messages: 3, active: expect.any(Number) });
      expect((await rooms(store)).map(([name, { lastId, messages }]) => [name, { lastId, messages }])).toEqual([
        ['b', { lastId: 1, messages: 0 }],
        ['lobby', { lastId: 5, messages: 3 }],
      ]);
    });

    it('stores each entry with its JSON made once', async () => {
      const store = await make();
      const result = await store.append(draft('hé "quoted" <b>', { nonce: 'n' }));
      if (result.kind !== 'appended') throw new Error(result.kind);
      expect(JSON.parse(result.entry.json)).toEqual(result.entry.message);
      expect(result.entry.message.text).toBe('hé "quoted" <b>');
    });

    it('reads after since, oldest first, up to a limit', async () => {
      const store = await make();
      for (let i = 1; i <= 10; i++) await appendedId(store, String(i));
      const slice = (await store.read('lobby', 3, 4));
      expect(slice.entries.map((e) => e.message.id)).toEqual([4, 5, 6, 7]);
      expect(slice).toMatchObject({ lastId: 10, firstId: 1 });
      expect((await store.read('lobby', 10, 5)).entries).toEqual([]);
      expect((await store.read('empty', 0, 5))).toEqual({ entries: [], lastId: 0, firstId: 1 });
    });

    it('retains the newest `capacity` messages', async () => {
      const store = await make({ capacity: 3 });
      for (let i = 1; i <= 7; i++) await appendedId(store, String(i));
      const slice = (await store.read('lobby', 0, 100));
      expect(slice.entries.map((e) => e.message.text)).toEqual(['5', '6', '7']);
      expect(slice.firstId).toBe(5);
    });

    it('takes a new capacity for the rooms it has at their next append, keeping their newest messages', async () => {
      const store = await make({ capacity: 5 });
      for (let i = 1; i <= 5; i++) await appendedId(store, String(i));
      store.configure({ capacity: 2 });
      await appendedId(store, '6');
      let slice = await store.read('lobby', 0, 100);
      expect(slice.entries.map((e) => e.message.text)).toEqual(['5', '6']);
      expect(slice.firstId).toBe(5);
      store.configure({ capacity: 4 });
      for (let i = 7; i <= 9; i++) await appendedId(store, String(i));
      slice = await store.read('lobby', 0, 100);
      expect(slice.entries.map((e) => e.message.text)).toEqual(['6', '7', '8', '9']);
      expect(slice.firstId).toBe(6);
    });

    it('finds a retained post by room, author and nonce', async () => {
      const store = await make({ capacity: 2 });
      await appendedId(store, 'one', { nonce: 'n' });
      expect(await store.append(draft('again', { nonce: 'n' }))).toMatchObject({ kind: 'duplicate', entry: { message: { id: 1, text: 'one' } } });
      await appendedId(store, 'two');
      await appendedId(store, 'three');
      expect((await store.append(draft('again', { nonce: 'n' }))).kind).toBe('appended');
    });

    it('refuses to open a room beyond maxRooms', async () => {
      const store = await make({ maxRooms: 1 });
      await appendedId(store, 'x', { room: 'a' });
      expect(await store.append(draft('x', { room: 'b' }))).toEqual({ kind: 'room-limit' });
      expect(await store.roomCount()).toBe(1);
      expect((await tally(store, 'b'))?.lastId).toBe(0);
    });

    it('has a URL-safe epoch', async () => {
      expect((await make()).epoch).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    });
  }
}
