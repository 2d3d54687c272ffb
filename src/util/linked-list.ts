/**
 * Linked is an item of a LinkedList. The links live in the item itself, so
 * adding and removing allocate nothing and hash nothing: what a Set costs
 * per item adds up where ten thousand held polls come and go every second.
 */
export interface Linked {
  prev: Linked | undefined;
  next: Linked | undefined;
  /** The list the item is in, if any: an item is in one list at a time. */
  list: LinkedList<Linked> | undefined;
}

/** LinkedList keeps items in the order they were added; removing any of them is O(1). */
export class LinkedList<T extends Linked> {
  private first: T | undefined = undefined;
  private last: T | undefined = undefined;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The oldest item. */
  get head(): T | undefined {
    return this.first;
  }

  /** The newest item; follow `prev` from it for the rest, newest first. */
  get tail(): T | undefined {
    return this.last;
  }

  push(item: T): void {
    if (item.list !== undefined) throw new Error('The item is in a list already; remove it first');
    item.list = this as LinkedList<Linked>;
    item.prev = this.last;
    item.next = undefined;
    if (this.last === undefined) this.first = item;
    else this.last.next = item;
    this.last = item;
    this.count++;
  }

  /** remove takes `item` out, telling whether it was in this list. */
  remove(item: T): boolean {
    if (item.list !== (this as LinkedList<Linked>)) return false;
    if (item.prev === undefined) this.first = item.next as T | undefined;
    else item.prev.next = item.next;
    if (item.next === undefined) this.last = item.prev as T | undefined;
    else item.next.prev = item.prev;
    item.prev = item.next = item.list = undefined;
    this.count--;
    return true;
  }

  /** drain takes every item out, oldest first. */
  drain(): T[] {
    const items: T[] = [];
    for (let item = this.first; item !== undefined; item = this.first) {
      this.remove(item);
      items.push(item);
    }
    return items;
  }
}
