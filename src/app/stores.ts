import { PresenceMap } from '../presence/presence-map.ts';
import type { PresenceStore } from '../presence/presence-store.ts';
import type { RateWindow } from '../rate/rate-window.ts';
import { MemoryRoomStore } from '../rooms/memory-room-store.ts';
import type { RoomStore } from '../rooms/room-store.ts';
import { SlidingWindow } from '../rate/sliding-window.ts';
import { MemoryStore } from '../storage/memory-store.ts';
import { MemorySessionStore } from '../sessions/memory-session-store.ts';
import type { SessionStore } from '../sessions/session-store.ts';
import type { MessageStore } from '../storage/store.ts';
import type { AppLogger } from './logger.ts';
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
 * openStores opens the back-end the settings choose. With REDIS_URL it loads
 * the Redis back-end (src/app/redis-stores.ts) and connects first, throwing
 * RedisStartError if Redis cannot be reached; without it, nothing of Redis
 * is loaded.
 */
export async function openStores(settings: Settings, now: () => number, logger?: AppLogger): Promise<Stores> {
  if (settings.redisUrl === undefined) return memoryStores(settings, now);
  const { openRedisStores } = await import('./redis-stores.ts');
  return openRedisStores(settings.redisUrl, settings, now, logger);
}
