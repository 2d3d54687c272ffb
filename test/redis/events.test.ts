import { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import { connectRedis } from '../../src/redis/connection.ts';
import { RedisEvents, type ChannelListener } from '../../src/redis/events.ts';
import { describeRedis } from '../helpers/backends.ts';

/** Heard is a listener that writes down what it is told. */
function heard(): ChannelListener & { readonly told: string[] } {
  const told: string[] = [];
  return { told, message: (payload) => told.push(`message ${payload}`), lost: () => told.push('lost'), resumed: () => told.push('resumed') };
}

/** killSubscribers makes Redis close every subscriber connection, as a Redis restart or a network break would. */
async function killSubscribers(url: string): Promise<void> {
  const admin = new Redis(url);
  await admin.client('KILL', 'TYPE', 'pubsub');
  admin.disconnect();
}

describeRedis('RedisEvents', (redis) => {
  it('subscribes again after its connection broke, telling its listeners, and hears what is published then', async () => {
    const url = redis.server().url;
    const events = new RedisEvents(await connectRedis(url, 'events-test'));
    const listener = heard();
    await events.listen('t-events-again', listener);
    await killSubscribers(url);
    await expect.poll(() => listener.told, { timeout: 10_000 }).toEqual(['lost', 'resumed']);
    const publisher = new Redis(url);
    await publisher.publish('t-events-again', 'after');
    publisher.disconnect();
    await expect.poll(() => listener.told).toEqual(['lost', 'resumed', 'message after']);
    events.close();
  });

  it('closes cleanly while its connection is coming back: no rejection is left unhandled, which would end the process', async () => {
    const url = redis.server().url;
    const subscriber = await connectRedis(url, 'events-test');
    const events = new RedisEvents(subscriber);
    await events.listen('t-events-closing', heard());
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      // Closed (a node shutting down) as the reconnection's ready check goes out, before Redis answers it:
      // the moment is chosen by closing right after ioredis sends that check (INFO), which a race would hit seldom.
      const info = subscriber.info.bind(subscriber) as (...args: unknown[]) => unknown;
      Object.assign(subscriber, {
        info: (...args: unknown[]) => {
          const sent = info(...args);
          events.close();
          return sent;
        },
      });
      await killSubscribers(url);
      await expect.poll(() => subscriber.status, { timeout: 10_000 }).toBe('end');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
