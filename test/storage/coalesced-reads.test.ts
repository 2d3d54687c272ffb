import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { CoalescedReads } from '../../src/storage/redis/coalesced-reads.ts';

describe('CoalescedReads', () => {
  it('serves the reads of one room asked for in one turn with one range read, each reader its own part', async () => {
    const store = new MemoryStore({ capacity: 5 });
    for (let i = 1; i <= 8; i++) store.append({ room: 'lobby', type: 'message', author: 'a', text: `m${i}` });
    store.append({ room: 'side', type: 'message', author: 'a', text: 's1' });
    const calls: [string, number, number][] = [];
    const reads = new CoalescedReads(async (room, since, count) => {
      calls.push([room, since, count]);
      return store.read(room, since, count);
    });
    const ids = async (read: Promise<{ entries: readonly { message: { id: number } }[]; lastId: number }>) => {
      const slice = await read;
      return [slice.entries.map((e) => e.message.id), slice.lastId];
    };
    const answers = await Promise.all([ids(reads.read('lobby', 6, 10)), ids(reads.read('lobby', 1, 2)), ids(reads.read('lobby', 7, 1)), ids(reads.read('side', 0, 10)), ids(reads.read('lobby', 8, 10))]);
    // Retained: 4 … 8. The reader at 1 gets what a lone read would: the oldest retained, as many as its limit.
    expect(answers).toEqual([[[7, 8], 8], [[4, 5], 8], [[8], 8], [[1], 1], [[], 8]]);
    expect(calls).toEqual([['lobby', 1, 17], ['side', 0, 10]]);
    await reads.read('lobby', 8, 10);
    expect(calls).toHaveLength(3);
  });

  it('fails every reader of a range that failed', async () => {
    const reads = new CoalescedReads(async () => {
      throw new Error('away');
    });
    const results = await Promise.allSettled([reads.read('lobby', 0, 1), reads.read('lobby', 3, 1)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
