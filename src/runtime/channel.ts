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
 * in order, until the network takes a packet out and makes room. The network
 * takes packets only when its process is free (`takeWaiting`); a packet for
 * an idle process never enters the ring at all (`countHandedOver`).
 *
 * Closing refuses later sends; what was sent before stays to be taken.
 */
export class Channel<T> {
  readonly capacity: number;
  private readonly ring: (T | undefined)[];
  private head = 0;
  private size = 0;
  private readonly blocked: { packet: T; resume: () => void }[] = [];
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

  /**
   * takeWaiting takes the next buffered packet, for a consumer that saw
   * `waiting` > 0; a sender that waited for room takes its place.
   */
  takeWaiting(): T {
    if (this.size === 0) throw new Error('No packet is waiting in the channel; check waiting > 0 first');
    return this.shift();
  }

  /** Stops new sends; what is buffered stays to be taken. */
  close(): void {
    this.closed = true;
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

/** ChannelClosedError is thrown by a send on a closed channel. */
export class ChannelClosedError extends Error {
  readonly code = 'CHANNEL_CLOSED';
  constructor() {
    super('Cannot send on a closed channel: the network is stopping or has stopped');
  }
}
