import { describe, expect, it } from 'vitest';
import { LinkedList, type Linked } from '../../src/util/linked-list.ts';

class Item implements Linked {
  prev: Linked | undefined = undefined;
  next: Linked | undefined = undefined;
  list: LinkedList<Linked> | undefined = undefined;
  constructor(readonly name: string) {}
}

const names = (items: readonly Item[]): string[] => items.map((item) => item.name);

describe('LinkedList', () => {
  it('keeps items in the order they were added and drains them oldest first', () => {
    const list = new LinkedList<Item>();
    for (const name of ['a', 'b', 'c']) list.push(new Item(name));
    expect(list.size).toBe(3);
    expect(list.head?.name).toBe('a');
    expect(names(list.drain())).toEqual(['a', 'b', 'c']);
    expect(list.size).toBe(0);
    expect(list.head).toBeUndefined();
  });

  it('removes an item from the head, the middle or the tail, and only from its own list', () => {
    const list = new LinkedList<Item>();
    const other = new LinkedList<Item>();
    const items = ['a', 'b', 'c', 'd', 'e'].map((name) => new Item(name));
    for (const item of items) list.push(item);
    const [a, b, , , e] = items as [Item, Item, Item, Item, Item];
    expect(other.remove(b)).toBe(false);
    expect(list.remove(b)).toBe(true);
    expect(list.remove(b)).toBe(false);
    expect(list.remove(a)).toBe(true);
    expect(list.remove(e)).toBe(true);
    expect(list.size).toBe(2);
    expect(b).toMatchObject({ prev: undefined, next: undefined, list: undefined });
    expect(names(list.drain())).toEqual(['c', 'd']);
  });

  it('takes a removed item back, and refuses an item that is in a list already', () => {
    const list = new LinkedList<Item>();
    const item = new Item('x');
    list.push(item);
    expect(() => list.push(item)).toThrow(/in a list already/);
    expect(() => new LinkedList<Item>().push(item)).toThrow(/in a list already/);
    list.remove(item);
    list.push(item);
    expect(names(list.drain())).toEqual(['x']);
  });
});
