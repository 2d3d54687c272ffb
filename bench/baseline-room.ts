import type { ServerResponse } from 'node:http';

/**
 * A room of the baseline server: the newest messages in a ring, each with its
 * JSON made once, and the polls held until the next message.
 */

export interface Stored {
  readonly id: number;
  readonly json: string;
  /** Its key in `nonces`, when it was posted with a nonce. */
  readonly nonceKey?: string;
}

export interface HeldPoll {
  readonly res: ServerResponse;
  readonly since: number;
  readonly timer: NodeJS.Timeout;
}

export class BaselineRoom {
  lastId = 0;
  readonly held = new Set<HeldPoll>();
  /** `author NUL nonce` → the stored message, for retry-safe posts. */
  readonly nonces = new Map<string, Stored>();
  private readonly ring: (Stored | undefined)[];
  private start = 0;
  private size = 0;

  constructor(private readonly capacity: number) {
    this.ring = new Array<Stored | undefined>(capacity);
  }

  /** firstId is the oldest retained id (lastId + 1 when none is). */
  get firstId(): number {
    return this.lastId - this.size + 1;
  }

  /** append stores a message and hands back the one it pushed out, if any. */
  append(stored: Stored): Stored | undefined {
    this.lastId = stored.id;
    if (this.size < this.capacity) {
      this.ring[(this.start + this.size++) % this.capacity] = stored;
      return undefined;
    }
    const dropped = this.ring[this.start];
    this.ring[this.start] = stored;
    this.start = (this.start + 1) % this.capacity;
    return dropped;
  }

  /** after gives up to `limit` retained messages with ids above `since`, oldest first. */
  after(since: number, limit: number): Stored[] {
    const out: Stored[] = [];
    const first = this.firstId;
    for (let id = Math.max(since + 1, first); id <= this.lastId && out.length < limit; id++) {
      out.push(this.ring[(this.start + id - first) % this.capacity] as Stored);
    }
    return out;
  }
}
