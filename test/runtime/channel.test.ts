import { describe, expect, it } from 'vitest';
import { Channel, ChannelClosedError } from '../../src/runtime/channel.ts';

/** takeAll takes every packet waiting, as the network does for a process that is free. */
function takeAll<T>(channel: Channel<T>): T[] {
  const got: T[] = [];
  while (channel.waiting > 0) got.push(channel.takeWaiting());
  return got;
}

describe('Channel', () => {
  it('gives packets back in the order they were sent, across many turns of its ring', () => {
    const channel = new Channel<number>(4);
    const got: number[] = [];
    for (let i = 0; i < 100; i++) {
      expect(channel.send(i)).toBeUndefined();
      if (i % 3 === 2) got.push(...takeAll(channel));
    }
    got.push(...takeAll(channel));
    expect(got).toEqual([...Array(100).keys()]);
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

    expect(channel.takeWaiting()).toBe('a');
    await blocked;
    expect(resumed).toBe(true);
    expect(channel.waiting).toBe(2);
    expect(takeAll(channel)).toEqual(['b', 'c']);
  });

  it('keeps order between buffered packets and senders that waited', () => {
    const channel = new Channel<number>(1);
    const sends = [1, 2, 3, 4].map((n) => channel.send(n));
    expect(sends.filter((s) => s !== undefined)).toHaveLength(3);
    expect(takeAll(channel)).toEqual([1, 2, 3, 4]);
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

  it('refuses sends after close, and still gives what was sent before', () => {
    const channel = new Channel<number>(2);
    channel.send(1);
    channel.close();
    expect(channel.isClosed).toBe(true);
    expect(() => channel.send(2)).toThrow(ChannelClosedError);
    expect(takeAll(channel)).toEqual([1]);
  });

  it('counts packets sent, handed over and waiting', () => {
    const channel = new Channel<number>(2);
    void channel.send(1);
    void channel.send(2);
    void channel.send(3);
    channel.countHandedOver();
    expect(channel.sent).toBe(4);
    expect(channel.waiting).toBe(3);
    channel.takeWaiting();
    expect(channel.waiting).toBe(2);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses capacity %s', (capacity) => {
    expect(() => new Channel(capacity)).toThrow(/capacity must be an integer ≥ 1/);
  });
});
