import { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import { ProtocolError } from '../../src/protocol/errors.ts';
import { RedisStartError } from '../../src/redis/redis-url.ts';
import { readSettings } from '../../src/app/settings.ts';
import type { MessageStore, StoreEvent } from '../../src/storage/store.ts';
import { openStores } from '../../src/app/stores.ts';
import { describeRedis } from '../helpers/backends.ts';
import { freePort } from '../helpers/ports.ts';

const post = (store: MessageStore, text: string, room = 'lobby') => store.append({ room, type: 'message', author: 'alice', text });

function heard(store: MessageStore): StoreEvent[] {
  const events: StoreEvent[] = [];
  store.subscribe((event) => events.push(event));
  return events;
}

describeRedis('RedisMessageStore: several nodes on one Redis', (redis) => {
  it('gives ids 1, 2, 3 … with no gap and no repeat when two nodes append at once, and each node hears every append in order', async () => {
    const env = redis.env();
    const { messages: a } = await redis.storesOn(env);
    const { messages: b } = await redis.storesOn(env);
    const heardByB = heard(b);
    const appends = Array.from({ length: 200 }, (_, i) => post(i % 2 === 0 ? a : b, `m${i}`));
    const ids = (await Promise.all(appends)).map((result) => (result.kind === 'appended' ? result.entry.message.id : -1));
    expect([...ids].sort((x, y) => x - y)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    await expect.poll(() => heardByB.length).toBe(200);
    expect(heardByB.map((e) => (e.kind === 'appended' ? e.entry.message.id : 0))).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const slice = await a.read('lobby', 0, 1000);
    expect(slice.entries.map((e) => e.message.text).sort()).toEqual(Array.from({ length: 200 }, (_, i) => `m${i}`).sort());
  });

  it('answers a waiting read that has seen the newest id it heard without asking Redis (never a read that will not wait), and asks again once that room is deleted', async () => {
    const env = redis.env();
    const { messages: a } = await redis.storesOn(env);
    const { messages: b } = await redis.storesOn(env);
    const heardByB = heard(b);
    for (const text of ['one', 'two', 'three']) await post(a, text);
    await expect.poll(() => heardByB.length).toBe(3);
    const upToDate = b.read('lobby', 3, 10, true);
    expect(upToDate).not.toBeInstanceOf(Promise);
    expect(upToDate).toMatchObject({ entries: [], lastId: 3 });
    expect(b.read('lobby', 3, 10)).toBeInstanceOf(Promise);
    await a.delete('lobby');
    await post(a, 'anew');
    await expect.poll(() => heardByB.length).toBe(5);
    // Its ids started again: a client at 3 is ahead of the room, and must learn it.
    expect(await b.read('lobby', 3, 10, true)).toMatchObject({ lastId: 1 });
    expect((await b.read('lobby', 0, 10)).entries.map((e) => e.message.text)).toEqual(['anew']);
  });

  it('keeps its epoch and history when a node opens it again, and when Redis restarts from its append-only file, even after a crash', async () => {
    const env = redis.env();
    const first = await openStores(readSettings(env), Date.now);
    await post(first.messages, 'kept');
    const epoch = first.messages.epoch;
    await first.close();
    expect((await redis.storesOn(env)).messages.epoch).toBe(epoch);

    await redis.server().stop();
    await redis.server().start();
    const afterRestart = await redis.storesOn(env);
    expect(afterRestart.messages.epoch).toBe(epoch);
    await post(afterRestart.messages, 'then');

    await redis.server().kill();
    await redis.server().start();
    const afterCrash = await redis.storesOn(env);
    expect(afterCrash.messages.epoch).toBe(epoch);
    expect((await afterCrash.messages.read('lobby', 0, 10)).entries.map((e) => e.message.text)).toEqual(['kept', 'then']);
  });

  it('draws a new epoch when Redis has lost its data, and tells the nodes to look again', async () => {
    const { messages } = await redis.stores();
    await post(messages, 'before');
    const epoch = messages.epoch;
    const events = heard(messages);
    const admin = new Redis(redis.server().url);
    await admin.flushall();
    admin.disconnect();
    const slice = await messages.read('lobby', 0, 10);
    expect(slice).toEqual({ entries: [], lastId: 0, firstId: 1 });
    expect(messages.epoch).not.toBe(epoch);
    expect(events).toContainEqual({ kind: 'resync' });
  });

  it('answers STORE_UNAVAILABLE with Retry-After while Redis is away, tells its listeners, and recovers by itself, losing nothing', async () => {
    const { messages } = await redis.stores();
    await post(messages, 'before');
    const events = heard(messages);
    await redis.server().stop();
    await expect.poll(() => events.map((e) => e.kind)).toContain('unavailable');
    const refused = await Promise.resolve(post(messages, 'while away')).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ProtocolError);
    expect(refused).toMatchObject({ code: 'STORE_UNAVAILABLE', headers: { 'retry-after': expect.stringMatching(/^[1-9][0-9]*$/) } });
    await redis.server().start();
    await expect.poll(() => events.map((e) => e.kind), { timeout: 10_000 }).toContain('resync');
    await post(messages, 'after');
    expect((await messages.read('lobby', 0, 10)).entries.map((e) => e.message.text)).toEqual(['before', 'after']);
  });

  it('refuses to start on a Redis that cannot be reached, saying where and what to do', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const opening = openStores(readSettings({ REDIS_URL: url }), Date.now);
    await expect(opening).rejects.toBeInstanceOf(RedisStartError);
    await expect(opening).rejects.toThrow(`Redis at ${url}`);
    await expect(opening).rejects.toThrow('start Redis there, correct REDIS_URL, or unset REDIS_URL');
  });
});
