import type { Redis } from 'ioredis';

/** ChannelListener is what a store does with one channel of every node's events. */
export interface ChannelListener {
  message(payload: string): void;
  /** The connection broke: events may be missed until `resumed`. */
  lost(): void;
  /** Subscribed again after `lost`: whatever was learnt from events before must be looked up again. */
  resumed(): void;
}

/**
 * RedisEvents is a node's one subscriber connection, shared by the stores
 * that hear what other nodes do (appends, ended sessions). It resubscribes
 * after each reconnection, and tells every listener that it lost events
 * and, once subscribed again, that it hears them again: the resubscription
 * is awaited before `resumed`, so no event falls between the two.
 */
export class RedisEvents {
  private subscribed = false;
  private closing = false;
  private readonly channels = new Map<string, ChannelListener>();

  constructor(private readonly subscriber: Redis) {
    subscriber.on('message', (channel: string, payload: string) => this.channels.get(channel)?.message(payload));
    subscriber.on('close', () => {
      if (!this.subscribed || this.closing) return;
      this.subscribed = false;
      for (const listener of this.channels.values()) listener.lost();
    });
    subscriber.on('ready', () => {
      if (this.subscribed || this.closing || this.channels.size === 0) return;
      subscriber.subscribe(...this.channels.keys()).then(
        () => {
          this.subscribed = true;
          for (const listener of this.channels.values()) listener.resumed();
        },
        // The connection broke again; its next 'ready' tries again.
        () => undefined,
      );
    });
  }

  /** listening tells whether every event published now will be heard. */
  get listening(): boolean {
    return this.subscribed;
  }

  /** listen subscribes to a channel; it resolves once Redis has confirmed it. */
  async listen(channel: string, listener: ChannelListener): Promise<void> {
    this.channels.set(channel, listener);
    await this.subscriber.subscribe(channel);
    this.subscribed = true;
  }

  close(): void {
    this.closing = true;
    this.subscriber.disconnect();
  }
}
