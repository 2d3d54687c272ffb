import { afterEach, describe, expect, it, vi } from 'vitest';
import { pollCommand } from '../../components/controller.ts';
import { postCommand } from '../../components/send-controller.ts';
import Storage from '../../components/storage.ts';
import type { Reply } from '../../src/protocol/packets.ts';
import { harness, type Harness } from '../helpers/component-harness.ts';
import { fakeRequest, type FakeRequest } from '../helpers/fake-request.ts';

/** StorageUnderTest wraps the harness: packets in, replies handed to their requests as the Responder would. */
class StorageUnderTest {
  readonly harness: Harness;

  constructor(env: Record<string, string> = {}) {
    this.harness = harness(Storage, { env });
  }

  static async with(settings: { capacity?: number; maxRooms?: number }, env: Record<string, string> = {}) {
    const storage = new StorageUnderTest(env);
    if (settings.capacity !== undefined) await storage.harness.send('capacity', settings.capacity);
    if (settings.maxRooms !== undefined) await storage.harness.send('maxRooms', settings.maxRooms);
    return storage;
  }

  async poll(query: Record<string, string> = {}): Promise<FakeRequest> {
    const request = fakeRequest({ query: { timeout: '0', ...query } });
    await this.harness.send('poll', pollCommand(request));
    this.flush();
    return request;
  }

  async post(text: string, fields: Record<string, string | boolean> = {}): Promise<FakeRequest> {
    const request = fakeRequest({ method: 'POST', body: { author: 'alice', text, ...fields } });
    await this.harness.send('post', postCommand(request, { maxText: 4000, sessionRequired: false }));
    this.flush();
    return request;
  }

  async health() {
    const request = fakeRequest({ path: '/gochat/chat/health' });
    await this.harness.send('health', request);
    this.flush();
    return request.answers[0]?.body;
  }

  /** flush plays the Responder: every reply sent so far answers its request. */
  flush(): void {
    const replies = this.harness.sent.out as Reply[];
    for (const r of replies.splice(0)) r.request.respond(r.status, r.body, r.headers);
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe('Storage', () => {
  describe('answers at once', () => {
    /** bodyOf polls and gives the body Storage answered with, as it sent it. */
    async function bodyOf(s: StorageUnderTest, query: Record<string, string>): Promise<unknown> {
      await s.harness.send('poll', pollCommand(fakeRequest({ query: { timeout: '0', ...query } })));
      const body = (s.harness.sent.out as Reply[]).at(-1)?.body;
      s.flush();
      return body;
    }

    it('share one answer between polls that ask a room the same thing, until the room changes', async () => {
      const s = new StorageUnderTest();
      for (const text of ['one', 'two', 'three']) await s.post(text);
      const first = await bodyOf(s, { since: '1' });
      expect(await bodyOf(s, { since: '1' })).toBe(first);
      // Another question is another answer.
      expect(await bodyOf(s, { since: '2' })).not.toBe(first);
      expect(await bodyOf(s, { since: '1', limit: '1' })).not.toBe(first);
      // An append changes the room: the same question gets a new answer, with the new message.
      await s.post('four');
      const after = await bodyOf(s, { since: '1' });
      expect(after).not.toBe(first);
      expect((await s.poll({ since: '1' })).answers[0]?.body.messages.map((m: { text: string }) => m.text)).toEqual(['two', 'three', 'four']);
    });
  });

  describe('posts', () => {
    it('numbers messages 1, 2, 3 in each room on its own', async () => {
      const s = new StorageUnderTest();
      const ids = [];
      for (const room of ['a', 'b', 'a', 'a', 'b']) ids.push((await s.post('x', { room })).answers[0]?.body.message.id);
      expect(ids).toEqual([1, 1, 2, 3, 2]);
    });

    it('answers 201 with the stored message', async () => {
      const s = new StorageUnderTest();
      const before = Date.now();
      const [answer] = (await s.post('hi', { nonce: 'n1' })).answers;
      expect(answer?.status).toBe(201);
      expect(answer?.body.message).toMatchObject({ id: 1, room: 'lobby', type: 'message', author: 'alice', text: 'hi', nonce: 'n1' });
      expect(answer?.body.message.time).toBeGreaterThanOrEqual(before);
    });

    it('refuses a post still marked private (no component vouched for the room) and stores nothing', async () => {
      const s = new StorageUnderTest();
      const [answer] = (await s.post('secret', { room: 'ops', private: true })).answers;
      expect(answer?.status).toBe(404);
      expect(answer?.body.error.code).toBe('NOT_FOUND');
      expect(answer?.body.error.message).toContain('private room "ops"');
      expect((await s.poll({ room: 'ops' })).answers[0]?.body.messages).toEqual([]);
    });

    it('leaves nonce out of a message posted without one', async () => {
      const s = new StorageUnderTest();
      expect((await s.post('hi')).answers[0]?.body.message).not.toHaveProperty('nonce');
    });

    it('answers a retry with the same nonce 200 with the original message and stores nothing', async () => {
      const s = new StorageUnderTest();
      const first = (await s.post('hi', { nonce: 'n1' })).answers[0];
      const retry = (await s.post('hi again', { nonce: 'n1' })).answers[0];
      expect(retry?.status).toBe(200);
      expect(retry?.body.message).toEqual(first?.body.message);
      expect((await s.poll()).answers[0]?.body.messages).toHaveLength(1);
    });

    it('keys nonces by room and author', async () => {
      const s = new StorageUnderTest();
      await s.post('a', { nonce: 'n' });
      expect((await s.post('b', { nonce: 'n', author: 'bob' })).answers[0]?.status).toBe(201);
      expect((await s.post('c', { nonce: 'n', room: 'other' })).answers[0]?.status).toBe(201);
    });

    it('forgets a nonce once its message is no longer retained', async () => {
      const s = await StorageUnderTest.with({ capacity: 2 });
      await s.post('first', { nonce: 'n' });
      await s.post('2');
      await s.post('3');
      const again = (await s.post('first', { nonce: 'n' })).answers[0];
      expect(again).toMatchObject({ status: 201, body: { message: { id: 4 } } });
    });

    it('refuses a new room beyond the limit with 503 ROOM_LIMIT, keeping existing rooms open', async () => {
      const s = await StorageUnderTest.with({ maxRooms: 2 });
      await s.post('x', { room: 'a' });
      await s.post('x', { room: 'b' });
      expect((await s.post('x', { room: 'c' })).answers[0]).toMatchObject({ status: 503, body: { error: { code: 'ROOM_LIMIT' } } });
      expect((await s.post('x', { room: 'a' })).answers[0]?.status).toBe(201);
      expect((await s.health())?.rooms).toBe(2);
    });
  });

  describe('polls with messages retained', () => {
    it('answers at once, oldest first, with next as the last id', async () => {
      const s = new StorageUnderTest();
      for (const t of ['1', '2', '3']) await s.post(t);
      const body = (await s.poll({ since: '1', timeout: '25' })).answers[0]?.body;
      expect(body?.messages.map((m) => m.text)).toEqual(['2', '3']);
      expect(body).toMatchObject({ room: 'lobby', next: 3, more: false, reset: false, truncated: false });
    });

    it('returns up to limit and says more are waiting', async () => {
      const s = new StorageUnderTest();
      for (let i = 1; i <= 5; i++) await s.post(String(i));
      const first = (await s.poll({ limit: '2' })).answers[0]?.body;
      expect(first).toMatchObject({ next: 2, more: true });
      const last = (await s.poll({ since: '4', limit: '2' })).answers[0]?.body;
      expect(last).toMatchObject({ next: 5, more: false });
    });

    it('says truncated when messages after since were dropped from the buffer', async () => {
      const s = await StorageUnderTest.with({ capacity: 3 });
      for (let i = 1; i <= 5; i++) await s.post(String(i));
      const body = (await s.poll({ since: '1' })).answers[0]?.body;
      expect(body?.messages.map((m) => m.id)).toEqual([3, 4, 5]);
      expect(body?.truncated).toBe(true);
      expect((await s.poll({ since: '2' })).answers[0]?.body.truncated).toBe(false);
    });

    it('answers timeout=0 at once with nothing when nothing is new', async () => {
      const s = new StorageUnderTest();
      await s.post('x');
      expect((await s.poll({ since: '1' })).answers[0]?.body).toMatchObject({ messages: [], next: 1, more: false });
    });
  });

  describe('reset', () => {
    it('resets a client whose epoch is not the store\'s, starting from the oldest message', async () => {
      const s = new StorageUnderTest();
      for (const t of ['1', '2']) await s.post(t);
      const body = (await s.poll({ since: '2', epoch: 'someOtherEpoch', timeout: '25' })).answers[0]?.body;
      expect(body).toMatchObject({ reset: true, next: 2 });
      expect(body?.messages.map((m) => m.id)).toEqual([1, 2]);
    });

    it('resets a client whose since is beyond the room\'s last id', async () => {
      const s = new StorageUnderTest();
      await s.post('1');
      expect((await s.poll({ since: '7' })).answers[0]?.body).toMatchObject({ reset: true, next: 1 });
    });

    it('answers a reset with nothing retained at once, with next 0, even with a timeout', async () => {
      const s = new StorageUnderTest();
      expect((await s.poll({ since: '3', timeout: '25' })).answers[0]?.body).toMatchObject({ reset: true, messages: [], next: 0 });
      expect((await s.health())?.heldPolls).toBe(0);
    });

    it('does not reset a client with the store\'s own epoch', async () => {
      const s = new StorageUnderTest();
      await s.post('1');
      const epoch = (await s.poll()).answers[0]?.body.epoch ?? '';
      expect((await s.poll({ since: '0', epoch })).answers[0]?.body.reset).toBe(false);
    });
  });

  describe('held polls', () => {
    it('holds a poll until a message arrives, then answers it with that message', async () => {
      const s = new StorageUnderTest();
      const waiting = await s.poll({ timeout: '25' });
      expect(waiting.answers).toEqual([]);
      expect((await s.health())?.heldPolls).toBe(1);
      await s.post('hello');
      expect(waiting.answers).toHaveLength(1);
      expect(waiting.answers[0]?.body).toMatchObject({ next: 1, more: false, reset: false, truncated: false });
      expect(waiting.answers[0]?.body.messages.map((m) => m.text)).toEqual(['hello']);
      expect((await s.health())?.heldPolls).toBe(0);
    });

    it('releases only the polls held in the room posted to', async () => {
      const s = new StorageUnderTest();
      const lobby = await s.poll({ timeout: '25' });
      const dev = await s.poll({ timeout: '25', room: 'dev' });
      await s.post('x', { room: 'dev' });
      expect(lobby.answers).toEqual([]);
      expect(dev.answers).toHaveLength(1);
      lobby.disconnect();
    });

    it('answers an empty list when the timeout passes', async () => {
      vi.useFakeTimers();
      const s = new StorageUnderTest();
      await s.post('x');
      const waiting = await s.poll({ since: '1', timeout: '2' });
      vi.advanceTimersByTime(1999);
      s.flush();
      expect(waiting.answers).toEqual([]);
      vi.advanceTimersByTime(1);
      s.flush();
      expect(waiting.answers[0]?.body).toMatchObject({ messages: [], next: 1, reset: false });
      expect((await s.health())?.heldPolls).toBe(0);
    });

    it('forgets a poll whose client went away, answering nothing', async () => {
      const s = new StorageUnderTest();
      const waiting = await s.poll({ timeout: '25' });
      waiting.disconnect();
      expect((await s.health())?.heldPolls).toBe(0);
      await s.post('x');
      expect(waiting.answers).toEqual([]);
    });

    it('ignores a poll whose client left before it arrived', async () => {
      const s = new StorageUnderTest();
      const request = fakeRequest({ query: { timeout: '25' } });
      request.disconnect();
      await s.harness.send('poll', pollCommand(request));
      expect((await s.health())?.heldPolls).toBe(0);
    });

    it('refuses polls beyond MAX_HELD_POLLS with 503 TOO_MANY_POLLS and Retry-After', async () => {
      const s = new StorageUnderTest({ MAX_HELD_POLLS: '2' });
      await s.poll({ timeout: '25' });
      await s.poll({ timeout: '25', room: 'dev' });
      const third = await s.poll({ timeout: '25' });
      expect(third.answers[0]).toMatchObject({ status: 503, body: { error: { code: 'TOO_MANY_POLLS' } } });
      expect(third.answers[0]?.headers.get('retry-after')).toBe('2');
      await s.harness.stop();
    });

    it('answers every held poll with what it has when the network stops', async () => {
      const s = new StorageUnderTest();
      await s.post('x');
      const a = await s.poll({ since: '1', timeout: '60' });
      const b = await s.poll({ since: '0', timeout: '60', room: 'dev' });
      await s.harness.stop();
      s.flush();
      expect(a.answers[0]).toMatchObject({ status: 200, body: { messages: [], next: 1 } });
      expect(b.answers[0]).toMatchObject({ status: 200, body: { messages: [], next: 0, room: 'dev' } });
      expect((await s.health())?.heldPolls).toBe(0);
    });
  });

  it('reports health: status, epoch, uptime, held polls and rooms', async () => {
    const s = new StorageUnderTest();
    await s.post('x');
    const epoch = (await s.poll()).answers[0]?.body.epoch;
    const health = await s.health();
    expect(health).toEqual({ status: 'ok', epoch, uptimeMs: expect.any(Number), heldPolls: 0, rooms: 1 });
    expect(epoch).toMatch(/^[A-Za-z0-9_-]{21}$/);
  });

  it('draws a new epoch each time it is made', async () => {
    const a = await new StorageUnderTest().health();
    const b = await new StorageUnderTest().health();
    expect(a?.epoch).not.toBe(b?.epoch);
  });

  describe('presence and listings', () => {
    it('appends join and leave events as messages and wakes the polls held in the room', async () => {
      const s = new StorageUnderTest();
      const waiting = await s.poll({ timeout: '25' });
      await s.harness.send('presence', { room: 'lobby', nick: 'alice', type: 'join' });
      s.flush();
      expect(waiting.answers[0]?.body.messages).toEqual([
        { id: 1, room: 'lobby', type: 'join', author: 'alice', text: 'alice joined', time: expect.any(Number) },
      ]);
      await s.harness.send('presence', { room: 'lobby', nick: 'alice', type: 'leave' });
      expect((await s.poll({ since: '1' })).answers[0]?.body.messages[0]).toMatchObject({ id: 2, type: 'leave', text: 'alice left' });
    });

    it('completes a room listing with the public rooms and every last id, hiding private rooms', async () => {
      const s = new StorageUnderTest();
      for (const room of ['town', 'town', 'secret', 'mine']) await s.post('x', { room });
      const listing = { request: fakeRequest(), kind: 'list' as const, status: 200, rooms: [{ name: 'mine', private: true }], hidden: (names: readonly string[]) => new Set(names.filter((name) => name === 'secret' || name === 'mine')) };
      await s.harness.send('listing', listing);
      expect(s.harness.sent.listing?.[0]).toMatchObject({ rooms: [{ name: 'mine', private: true, lastId: 1 }, { name: 'town', private: false, lastId: 2 }] });
    });
  });
});
