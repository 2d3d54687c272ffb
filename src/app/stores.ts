import type { Redis } from 'ioredis';
import { PresenceMap } from '../presence/presence-map.ts';
import type { PresenceStore } from '../presence/presence-store.ts';
import { RedisPresenceStore } from '../presence/redis/redis-presence-store.ts';
import type { RateWindow } from '../rate/rate-window.ts';
import { RedisSlidingWindow } from '../rate/redis/redis-sliding-window.ts';
import { MemoryRoomStore } from '../rooms/memory-room-store.ts';
import { RedisRoomStore } from '../rooms/redis/redis-room-store.ts';
import type { RoomStore } from '../rooms/room-store.ts';
import { SlidingWindow } from '../rate/sliding-window.ts';
import { connectRedis } from '../redis/connection.ts';
import { MemoryStore } from '../storage/memory-store.ts';
import { MemorySessionStore } from '../sessions/memory-session-store.ts';
import { RedisSessionStore } from '../sessions/redis/redis-session-store.ts';
import type { SessionStore } from '../sessions/session-store.ts';
import { RedisMessageStore } from '../storage/redis/redis-store.ts';
import type { MessageStore } from '../storage/store.ts';
import type { AppLogger } from './logger.ts';
import { redacted } from '../redis/connection.ts';
import type { Settings } from './settings.ts';

/**
 * Stores are where the chat keeps the state its components share: in this
 * process's memory (the default), or in Redis when REDIS_URL is set, where
 * every node sees the same. Components reach them through AppContext and
 * never learn which back-end they have.
 */
export interface Stores {
  readonly messages: MessageStore;
  /** Accounts, guests and their sessions. */
  readonly sessions: SessionStore;
  /** Private rooms and their members, and the names that are or were public. */
  readonly rooms: RoomStore;
  /** Who is in which room. */
  readonly presence: PresenceStore;
  /** A window of `limit` events per key in any `windowMs`; `name` keeps its count apart from every other window's. */
  rateWindow(name: string, limit: number, windowMs: number): RateWindow;
  /** Ends the back-end's connections, after the network has stopped. */
  close(): Promise<void>;
}

/** memoryStores keeps everything in this process. */
export function memoryStores(settings: Pick<Settings, 'storageMaxBytes'>, now: () => number): Stores {
  return {
    messages: new MemoryStore({ maxBytes: settings.storageMaxBytes }, now),
    sessions: new MemorySessionStore(now),
    rooms: new MemoryRoomStore(),
    presence: new PresenceMap(now),
    rateWindow: (_name, limit, windowMs) => new SlidingWindow(limit, windowMs, now),
    close: async () => {},
  };
}

/**
 * openStores opens the back-end the settings choose; with REDIS_URL it
 * connects first (two connections: one for commands, one subscribed to
 * every node's events) and throws RedisStartError if Redis cannot be
 * reached. Later, it logs when Redis goes away and when it is back.
 */
export async function openStores(settings: Settings, now: () => number, logger?: AppLogger): Promise<Stores> {
  if (settings.redisUrl === undefined) return memoryStores(settings, now);
  const connections: Redis[] = [];
  try {
    connections.push(await connectRedis(settings.redisUrl, 'flowchat'));
    connections.push(await connectRedis(settings.redisUrl, 'flowchat-events'));
    const [client, subscriber] = connections as [Redis, Redis];
    const messages = await RedisMessageStore.open(client, subscriber, settings.redisPrefix, now);
    messages.configure({ maxBytes: settings.storageMaxBytes });
    const rooms = new RedisRoomStore(client, settings.redisPrefix);
    const redis = redacted(settings.redisUrl);
    let away = false;
    messages.subscribe((event) => {
      // A reconnection or a new epoch may mean Redis lost its data: what the nodes learnt of it goes too.
      if (event.kind === 'resync' || event.kind === 'unavailable') rooms.forgetPublic();
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
      sessions: new RedisSessionStore(client, settings.redisPrefix, now),
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
