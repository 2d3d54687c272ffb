import { describe, expect, it } from 'vitest';
import { Channel, ChannelClosedError } from '../../src/runtime/channel.ts';

async function drain<T>(channel: Channel<T>): Promise<T[]> {
  const got: T[] = [];
  for await (const packet of channel) got.push(packet);
  return got;
}

describe('Channel', () => {
  it('delivers packets in the order they were sent', async () => {
    const channel = new Channel<number>(4);
    const received = drain(channel);
    for (let i = 0; i < 100; i++) await channel.send(i);
    channel.close();
    expect(await received).toEqual([...Array(100).keys()]);
  });

  it('accepts sends at once until it is full, then makes the sender wait (backpressure)', async () => {
    const channel = new Channel<string>(2);
    expect(channel.send('a')).toBeUndefined();
    expect(channel.send('b')).toBeUndefined();
    let resumed = false;
    const blocked = channel.send('c');
    expect(blocked).toBeInstanceOf(Promise);
    void blocked?.then(() => (resumed = true));
    await Promise.resolve();
    expect(resumed).toBe(false);
    expect(channel.waiting).toBe(3);

    expect(channel.tryReceive()).toEqual({ value: 'a', done: false });
    await blocked;
    expect(resumed).toBe(true);
    expect(channel.waiting).toBe(2);
    expect(channel.tryReceive()?.value).toBe('b');
    expect(channel.tryReceive()?.value).toBe('c');
    expect(channel.tryReceive()).toBeUndefined();
  });

  it('keeps order between buffered packets and senders that waited', async () => {
    const channel = new Channel<number>(1);
    const sends = [1, 2, 3, 4].map((n) => channel.send(n));
    expect(sends.filter((s) => s !== undefined)).toHaveLength(3);
    channel.close();
    expect(await drain(channel)).toEqual([1, 2, 3, 4]);
  });

  it('hands a packet straight to a consumer that is already waiting', async () => {
    const channel = new Channel<string>(1);
    const next = channel.receive();
    expect(channel.send('x')).toBeUndefined();
    expect(channel.waiting).toBe(0);
    expect(await next).toEqual({ value: 'x', done: false });
  });

  it('lets the consumer drain what was sent before close, then ends it', async () => {
    const channel = new Channel<number>(8);
    await channel.send(1);
    await channel.send(2);
    channel.close();
    expect(await drain(channel)).toEqual([1, 2]);
    expect(await channel.receive()).toEqual({ value: undefined, done: true });
  });

  it('ends a consumer that is waiting when the channel closes', async () => {
    const channel = new Channel<number>(8);
    const received = drain(channel);
    channel.close();
    expect(await received).toEqual([]);
  });

  it('takeWaiting takes buffered packets in order, lets a blocked sender in, and refuses when nothing waits', async () => {
    const channel = new Channel<string | undefined>(1);
    channel.send('a');
    let resumed = false;
    void channel.send(undefined)?.then(() => (resumed = true));
    expect(channel.waiting).toBe(2);
    expect(channel.takeWaiting()).toBe('a');
    await Promise.resolve();
    expect(resumed).toBe(true);
    expect(channel.takeWaiting()).toBeUndefined();
    expect(channel.waiting).toBe(0);
    expect(() => channel.takeWaiting()).toThrow(/No packet is waiting/);
  });

  it('refuses sends after close', () => {
    const channel = new Channel<number>(1);
    channel.close();
    expect(() => channel.send(1)).toThrow(ChannelClosedError);
  });

  it('counts packets sent and packets waiting', async () => {
    const channel = new Channel<number>(2);
    void channel.send(1);
    void channel.send(2);
    void channel.send(3);
    expect(channel.sent).toBe(3);
    expect(channel.waiting).toBe(3);
    channel.tryReceive();
    expect(channel.waiting).toBe(2);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses capacity %s', (capacity) => {
    expect(() => new Channel(capacity)).toThrow(/capacity must be an integer ≥ 1/);
  });
});
