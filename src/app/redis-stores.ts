import type { Redis } from 'ioredis';
import { RedisPresenceStore } from '../presence/redis/redis-presence-store.ts';
import { RedisSlidingWindow } from '../rate/redis/redis-sliding-window.ts';
import { connectRedis } from '../redis/connection.ts';
import { RedisEvents } from '../redis/events.ts';
import { redacted } from '../redis/redis-url.ts';
import { RedisRoomStore } from '../rooms/redis/redis-room-store.ts';
import { RedisSessionStore } from '../sessions/redis/redis-session-store.ts';
import { RedisMessageStore } from '../storage/redis/redis-store.ts';
import type { AppLogger } from './logger.ts';
import type { Settings } from './settings.ts';
import type { Stores } from './stores.ts';

/**
 * openRedisStores is the Redis back-end of every store, loaded only with
 * REDIS_URL. It connects first (two connections: one for commands, one
 * subscribed to every node's events) and throws RedisStartError if Redis
 * cannot be reached; later, it logs when Redis goes away and when it is back.
 */
export async function openRedisStores(url: string, settings: Settings, now: () => number, logger?: AppLogger): Promise<Stores> {
  const connections: Redis[] = [];
  try {
    connections.push(await connectRedis(url, 'flowchat'));
    connections.push(await connectRedis(url, 'flowchat-events'));
    const [client, subscriber] = connections as [Redis, Redis];
    const events = new RedisEvents(subscriber);
    const messages = await RedisMessageStore.open(client, events, settings.redisPrefix, now);
    const sessions = await RedisSessionStore.open(client, events, settings.redisPrefix, now);
    messages.configure({ maxBytes: settings.storageMaxBytes });
    const rooms = new RedisRoomStore(client, settings.redisPrefix);
    const redis = redacted(url);
    let away = false;
    messages.subscribe((event) => {
      // A reconnection or a new epoch may mean Redis lost its data: what the nodes learnt of it goes too.
      if (event.kind === 'resync' || event.kind === 'unavailable') {
        rooms.forgetPublic();
        sessions.forgetTrusted();
      }
      if (event.kind === 'unavailable') {
        away = true;
        logger?.warn({ redis }, 'Redis cannot be reached: requests that need it get 503 STORE_UNAVAILABLE, held polls are answered; reconnecting');
      } else if (event.kind === 'resync' && away) {
        away = false;
        logger?.info({ redis }, 'Redis is back: serving again');
      }
    });
    return {
      messages,
      sessions,
      rooms,
      presence: new RedisPresenceStore(client, settings.redisPrefix, now),
      rateWindow: (name, limit, windowMs) => new RedisSlidingWindow(client, settings.redisPrefix, name, limit, windowMs, now),
      close: () => messages.close(),
    };
  } catch (error) {
    for (const connection of connections) connection.disconnect();
    throw error;
  }
}
