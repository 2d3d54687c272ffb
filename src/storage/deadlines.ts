import { LinkedList, type Linked } from '../util/linked-list.ts';

/**
 * Timed is what Deadlines keeps of an item: its due time and its place in a
 * list, held in the item itself, so timing an item allocates nothing; a held
 * poll would otherwise carry a Timeout and a closure (some 200 bytes) for
 * its whole wait.
 */
export interface Timed extends Linked {
  due: number;
}

/** Lane holds the items timed with one duration, oldest first, and the one timer for its head. */
class Lane<T extends Timed> extends LinkedList<T> {
  timer: NodeJS.Timeout | undefined = undefined;

  constructor(readonly ms: number) {
    super();
  }
}

/**
 * Deadlines calls `expire` for each item whose time is up. Items added with
 * the same duration fall due in the order they were added, so appending
 * keeps each duration's lane sorted and one timer per lane, set for its
 * head, is enough: Node's own timers work so inside. Cancelling unlinks an
 * item in O(1) and leaves nothing behind.
 */
export class Deadlines<T extends Timed> {
  private readonly lanes = new Map<number, Lane<T>>();

  constructor(
    private readonly expire: (item: T) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** add times `item` out `ms` from now; an item is timed once until it expires or is cancelled. */
  add(item: T, ms: number): void {
    if (item.list !== undefined) throw new Error('The item is timed already; cancel it before timing it again');
    let lane = this.lanes.get(ms);
    if (lane === undefined) {
      lane = new Lane(ms);
      this.lanes.set(ms, lane);
    }
    item.due = this.now() + ms;
    lane.push(item);
    if (lane.timer === undefined) this.arm(lane, ms);
  }

  /** cancel stops timing `item`; an item not timed is left alone. */
  cancel(item: T): void {
    const lane = item.list;
    if (!(lane instanceof Lane) || !lane.remove(item)) return;
    if (lane.size === 0) {
      clearTimeout(lane.timer);
      lane.timer = undefined;
      if (this.lanes.get(lane.ms) === lane) this.lanes.delete(lane.ms);
    }
  }

  /** How many durations have items waiting: each costs one timer. */
  get timers(): number {
    return this.lanes.size;
  }

  private arm(lane: Lane<T>, ms: number): void {
    // At least 1 ms: the timer runs on the event loop's clock, which may lag Date.now() by a millisecond.
    lane.timer = setTimeout(() => this.fire(lane), Math.max(1, ms));
  }

  private fire(lane: Lane<T>): void {
    lane.timer = undefined;
    const now = this.now();
    for (let head = lane.head; head !== undefined && head.due <= now; head = lane.head) {
      this.cancel(head);
      this.expire(head);
    }
    if (lane.head !== undefined && lane.timer === undefined) this.arm(lane, lane.head.due - now);
  }
}
