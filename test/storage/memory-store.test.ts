import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { Ring } from '../../src/storage/ring.ts';
describe('MemoryStore', () => {
  it('draws a new epoch for each store: history does not survive a restart', () => {
    expect(new MemoryStore().epoch).not.toBe(new MemoryStore().epoch);
  });
});

describe('Ring', () => {
  it('keeps the newest items and hands back the one it dropped', () => {
    const ring = new Ring<number>(3);
    expect([1, 2, 3].map((n) => ring.push(n))).toEqual([undefined, undefined, undefined]);
    expect(ring.push(4)).toBe(1);
    expect(ring.push(5)).toBe(2);
    expect([0, 1, 2, 3].map((i) => ring.at(i))).toEqual([3, 4, 5, undefined]);
    expect(ring.size).toBe(3);
  });
});
