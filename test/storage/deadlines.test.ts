import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Linked, LinkedList } from '../../src/util/linked-list.ts';
import { Deadlines, type Timed } from '../../src/storage/deadlines.ts';

class Item implements Timed {
  due = 0;
  prev: Linked | undefined = undefined;
  next: Linked | undefined = undefined;
  list: LinkedList<Linked> | undefined = undefined;
  constructor(readonly name: string) {}
}

describe('Deadlines', () => {
  let expired: string[];
  let deadlines: Deadlines<Item>;

  beforeEach(() => {
    vi.useFakeTimers();
    expired = [];
    deadlines = new Deadlines<Item>((item) => expired.push(item.name));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('expires each item when its time is up, not a millisecond before, in the order they fall due', () => {
    deadlines.add(new Item('a'), 100);
    vi.advanceTimersByTime(30);
    deadlines.add(new Item('b'), 100);
    deadlines.add(new Item('c'), 50);
    vi.advanceTimersByTime(49);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual(['c']);
    vi.advanceTimersByTime(19);
    expect(expired).toEqual(['c']);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual(['c', 'a']);
    vi.advanceTimersByTime(30);
    expect(expired).toEqual(['c', 'a', 'b']);
  });

  it('uses one timer per duration, however many items wait, and none once all are gone', () => {
    for (let i = 0; i < 1000; i++) deadlines.add(new Item(`${i}`), 25_000);
    deadlines.add(new Item('short'), 1000);
    expect(vi.getTimerCount()).toBe(2);
    expect(deadlines.timers).toBe(2);
    vi.advanceTimersByTime(25_000);
    expect(expired).toHaveLength(1001);
    expect(vi.getTimerCount()).toBe(0);
    expect(deadlines.timers).toBe(0);
  });

  it('never expires a cancelled item, wherever it was in its lane, and keeps the others', () => {
    const items = ['head', 'middle', 'tail', 'last'].map((name) => new Item(name));
    for (const item of items) deadlines.add(item, 100);
    deadlines.cancel(items[1] as Item);
    deadlines.cancel(items[0] as Item);
    deadlines.cancel(items[3] as Item);
    deadlines.cancel(items[3] as Item); // a second cancel is harmless
    vi.advanceTimersByTime(100);
    expect(expired).toEqual(['tail']);
  });

  it('clears the timer when the last item of a duration is cancelled', () => {
    const only = new Item('only');
    deadlines.add(only, 60_000);
    expect(vi.getTimerCount()).toBe(1);
    deadlines.cancel(only);
    expect(vi.getTimerCount()).toBe(0);
    expect(only).toMatchObject({ prev: undefined, next: undefined, list: undefined });
  });

  it('lets an expired item be timed again, even from inside the expiry', () => {
    const item = new Item('again');
    let rounds = 0;
    const repeating: Deadlines<Item> = new Deadlines((it) => {
      rounds++;
      if (rounds < 3) repeating.add(it, 10);
    });
    repeating.add(item, 10);
    vi.advanceTimersByTime(100);
    expect(rounds).toBe(3);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('refuses to time an item twice', () => {
    const item = new Item('x');
    deadlines.add(item, 10);
    expect(() => deadlines.add(item, 20)).toThrow(/timed already/);
  });

  it('waits again when its timer fires before the clock reached the due time', () => {
    let clock = 0;
    const lagging = new Deadlines<Item>((item) => expired.push(item.name), () => clock);
    lagging.add(new Item('late'), 100);
    vi.advanceTimersByTime(100); // the timer fires, but this clock still says 0
    expect(expired).toEqual([]);
    expect(vi.getTimerCount()).toBe(1);
    clock = 100;
    vi.advanceTimersByTime(100);
    expect(expired).toEqual(['late']);
  });
});
