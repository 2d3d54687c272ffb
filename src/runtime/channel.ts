/**
 * Channel is a bounded FIFO of packets between two processes: the connection
 * of an FBP graph.
 *
 *        head                   tail
 *         v                      v
 *   [ .. p1  p2  p3  p4  .. .. .. ]   ring of `capacity` slots
 *
 *   empty: size === 0        full: size === capacity
 *
 * A sender whose packet finds the ring full waits (backpressure) in `blocked`,
 * in order, until the consumer makes room. A consumer that finds the ring
 * empty waits in `receiver`. A packet sent while the consumer waits is handed
 * over directly and never touches the ring.
 *
 * Closing lets the consumer drain what was sent before the close, then ends
 * it; sending after the close throws.
 */
export class Channel<T> {
  readonly capacity: number;
  private readonly ring: (T | undefined)[];
  private head = 0;
  private size = 0;
  private readonly blocked: { packet: T; resume: () => void }[] = [];
  private receiver: ((result: IteratorResult<T, undefined>) => void) | undefined;
  private closed = false;
  /** Packets accepted since the channel was made. */
  sent = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`Channel capacity must be an integer ≥ 1, got ${capacity}`);
    }
    this.capacity = capacity;
    this.ring = new Array<T | undefined>(capacity);
  }

  /** Packets sent but not yet received, counting senders held by backpressure. */
  get waiting(): number {
    return this.size + this.blocked.length;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Sends a packet. Returns undefined when it was accepted at once, or a
   * promise that settles once a full channel had room for it: awaiting only
   * when needed keeps the hot path free of microtask hops.
   */
  send(packet: T): Promise<void> | undefined {
    if (this.closed) throw new ChannelClosedError();
    this.sent++;
    const receiver = this.receiver;
    if (receiver !== undefined) {
      this.receiver = undefined;
      receiver({ value: packet, done: false });
      return undefined;
    }
    if (this.size < this.capacity) {
      this.push(packet);
      return undefined;
    }
    return new Promise<void>((resume) => this.blocked.push({ packet, resume }));
  }

  /**
   * countHandedOver counts a packet that passed this connection straight
   * into an idle process, never stopping in the ring.
   */
  countHandedOver(): void {
    this.sent++;
  }

  /** Takes the next packet if one is ready, without waiting. */
  tryReceive(): IteratorResult<T, undefined> | undefined {
    if (this.size > 0) return { value: this.shift(), done: false };
    if (this.closed) return DONE;
    return undefined;
  }

  /**
   * takeWaiting takes the next buffered packet, for a consumer that saw
   * `waiting` > 0: unlike tryReceive it wraps nothing, as it runs for every
   * packet that had to wait.
   */
  takeWaiting(): T {
    if (this.size === 0) throw new Error('No packet is waiting in the channel; check waiting > 0 first');
    return this.shift();
  }

  /** Waits for the next packet; `done` once the channel is closed and drained. */
  receive(): Promise<IteratorResult<T, undefined>> {
    const ready = this.tryReceive();
    if (ready !== undefined) return Promise.resolve(ready);
    if (this.receiver !== undefined) {
      throw new Error('Channel has one consumer; a second receive() was called while one was waiting');
    }
    return new Promise((resolve) => {
      this.receiver = resolve;
    });
  }

  /** Stops new sends; the consumer still gets what is buffered, then ends. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const receiver = this.receiver;
    if (receiver !== undefined && this.size === 0) {
      this.receiver = undefined;
      receiver(DONE);
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for (;;) {
      const result = await this.receive();
      if (result.done) return;
      yield result.value;
    }
  }

  private push(packet: T): void {
    this.ring[(this.head + this.size) % this.capacity] = packet;
    this.size++;
  }

  private shift(): T {
    const packet = this.ring[this.head] as T;
    this.ring[this.head] = undefined; // let the packet be collected
    this.head = (this.head + 1) % this.capacity;
    this.size--;
    // Each packet taken out makes room for the oldest blocked sender.
    const next = this.blocked.shift();
    if (next !== undefined) {
      this.push(next.packet);
      next.resume();
    }
    return packet;
  }
}

const DONE: IteratorResult<never, undefined> = Object.freeze({ value: undefined, done: true });

/** ChannelClosedError is thrown by a send on a closed channel. */
export class ChannelClosedError extends Error {
  readonly code = 'CHANNEL_CLOSED';
  constructor() {
    super('Cannot send on a closed channel: the network is stopping or has stopped');
  }
}
