/**
 * Ring keeps the newest `capacity` items; pushing onto a full ring drops the
 * oldest.
 *
 *          start            start + size (mod capacity)
 *            v                v
 *   [ i5  i6 i2  i3  i4 ]         items oldest-first: i2 i3 i4 i5 i6
 *
 *   empty: size === 0        full: size === capacity
 */
export class Ring<T> {
  private readonly slots: (T | undefined)[];
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`Ring capacity must be an integer ≥ 1, got ${capacity}`);
    this.slots = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** push adds an item and returns the one it dropped to make room, if any. */
  push(item: T): T | undefined {
    if (this.count < this.capacity) {
      this.slots[(this.start + this.count) % this.capacity] = item;
      this.count++;
      return undefined;
    }
    const dropped = this.slots[this.start];
    this.slots[this.start] = item;
    this.start = (this.start + 1) % this.capacity;
    return dropped;
  }

  /** shift drops the oldest item and returns it. */
  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const dropped = this.slots[this.start];
    this.slots[this.start] = undefined;
    this.start = (this.start + 1) % this.capacity;
    this.count--;
    return dropped;
  }

  /** at gives the item `index` places after the oldest. */
  at(index: number): T | undefined {
    if (index < 0 || index >= this.count) return undefined;
    return this.slots[(this.start + index) % this.capacity];
  }
}
