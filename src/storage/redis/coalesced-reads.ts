import type { Entry, Slice } from '../store.ts';

interface Waiting {
  readonly since: number;
  readonly limit: number;
  resolve(slice: Slice): void;
  reject(error: unknown): void;
}

/**
 * CoalescedReads makes the reads of one room asked for in one turn of the
 * event loop one call to Redis: after a message, the pollers of a busy room
 * poll again all at once, each a few messages behind, and one range from
 * the furthest behind serves them all.
 */
export class CoalescedReads {
  private waiting = new Map<string, Waiting[]>();
  private scheduled = false;

  constructor(
    /** Reads `count` entries of a room after `since`. */
    private readonly readRange: (room: string, since: number, count: number) => Promise<Slice>,
  ) {}

  read(room: string, since: number, limit: number): Promise<Slice> {
    return new Promise<Slice>((resolve, reject) => {
      const list = this.waiting.get(room);
      if (list === undefined) this.waiting.set(room, [{ since, limit, resolve, reject }]);
      else list.push({ since, limit, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const rooms = this.waiting;
    this.waiting = new Map();
    this.scheduled = false;
    for (const [room, readers] of rooms) {
      let since = Number.POSITIVE_INFINITY;
      let end = 0;
      for (const reader of readers) {
        since = Math.min(since, reader.since);
        end = Math.max(end, reader.since + reader.limit);
      }
      this.readRange(room, since, end - since).then(
        (slice) => {
          for (const reader of readers) reader.resolve(sliceFor(slice, reader.since, reader.limit));
        },
        (error: unknown) => {
          for (const reader of readers) reader.reject(error);
        },
      );
    }
  }
}

/** sliceFor cuts one reader's part from a range read for several: its entries after `since`, at most `limit`. */
function sliceFor(slice: Slice, since: number, limit: number): Slice {
  const first = (slice.entries[0] as Entry | undefined)?.message.id;
  if (first === undefined) return slice;
  const from = Math.max(0, since + 1 - first);
  return from === 0 && slice.entries.length <= limit ? slice : { ...slice, entries: slice.entries.slice(from, from + limit) };
}
