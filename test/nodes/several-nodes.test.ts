import { expect, it } from 'vitest';
import { describeRedis } from '../helpers/backends.ts';
import { roomsIn } from '../helpers/bodies.ts';
import { AT_ONCE_MS, call, heldPolls, openPoll, postJson, startServer, waitFor, type TestServer } from '../helpers/server.ts';
import { capturingLogger } from '../helpers/log-lines.ts';
import { as, sessionGraphFile, signIn } from '../helpers/sessions.ts';

/**
 * PROTOCOL.md, Several nodes: two flowchat servers on one Redis, reached
 * directly (the nginx in front of them is test/e2e/nodes.test.ts's), are
 * one server to a client that goes to either for any request.
 */
describeRedis('several nodes on one Redis', (redis) => {
  async function twoNodes(settings: Record<string, string> = { RATE_LIMIT: '0' }): Promise<[TestServer, TestServer, Record<string, string>]> {
    const env = { ...redis.env(), ...settings };
    return [await startServer(env), await startServer(env), env];
  }

  const say = (node: TestServer, text: string, room = 'lobby') => postJson(node.base, { room, author: 'alice', text });

  it('releases a poll held on one node at once when a message is posted through the other', async () => {
    const [a, b] = await twoNodes();
    try {
      const { body: first } = await call(`${b.base}?room=lobby&since=0&timeout=0`);
      const poll = openPoll(`${b.base}?room=lobby&since=0&timeout=30&epoch=${first.epoch}`);
      await waitFor(async () => (await heldPolls(b.base)) === 1);
      expect((await say(a, 'across')).status).toBe(201);
      const answer = await poll.answer;
      expect(answer.ms).toBeLessThan(AT_ONCE_MS);
      expect(answer.body).toMatchObject({ epoch: first.epoch, messages: [{ id: 1, text: 'across' }], next: 1, reset: false });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('numbers posts 1, 2, 3 … whichever node takes them, and a client polling both in turn gets each once, in order', async () => {
    const [a, b] = await twoNodes();
    try {
      const posts = await Promise.all(Array.from({ length: 60 }, (_, i) => say(i % 2 === 0 ? a : b, `m${i}`)));
      expect(posts.map((p) => p.body.message.id).sort((x: number, y: number) => x - y)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
      const seen: number[] = [];
      let since = 0;
      for (let turn = 0; seen.length < 60 && turn < 100; turn++) {
        const node = turn % 2 === 0 ? a : b;
        const { body } = await call(`${node.base}?room=lobby&since=${since}&limit=7&timeout=0`);
        seen.push(...body.messages.map((m: { id: number }) => m.id));
        since = body.next;
      }
      expect(seen).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('shows a post taken by one node to a poll answered at once by the other, straight after its 201', async () => {
    const [a, b] = await twoNodes();
    try {
      for (let i = 1; i <= 50; i++) {
        const posted = await say(i % 2 === 0 ? a : b, `m${i}`);
        const reader = i % 2 === 0 ? b : a;
        const { body } = await call(`${reader.base}?room=lobby&since=${posted.body.message.id - 1}&timeout=0`);
        expect(body.messages.map((m: { text: string }) => m.text)).toEqual([`m${i}`]);
      }
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('answers a retried post the same whichever node the retry reaches: the nonce holds on every node', async () => {
    const [a, b] = await twoNodes();
    try {
      const first = await postJson(a.base, { room: 'lobby', author: 'alice', text: 'once', nonce: 'n-1' });
      const retry = await postJson(b.base, { room: 'lobby', author: 'alice', text: 'once', nonce: 'n-1' });
      expect(first.status).toBe(201);
      expect(retry.status).toBe(200);
      expect(retry.body.message).toEqual(first.body.message);
      const { body } = await call(`${a.base}?room=lobby&since=0&timeout=0`);
      expect(body.messages.map((m: { text: string }) => m.text)).toEqual(['once']);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('keeps one presence for a user polling through one node and asking through the other', async () => {
    const [a, b] = await twoNodes({ RATE_LIMIT: '0', GRAPH: sessionGraphFile() });
    try {
      const token = await signIn(a.base, 'pia');
      await as(a.base, token).get('?room=lobby&since=0&timeout=0');
      expect((await call(`${b.base}/users?room=lobby`)).body.users.map((u: { nick: string }) => u.nick)).toEqual(['pia']);
      expect((await call(`${b.base}/users/pia`)).body).toMatchObject({ online: true });
      // Polling through the other node too is the same presence: no second join line.
      await as(b.base, token).get('?room=lobby&since=0&timeout=0');
      const { body } = await call(`${b.base}?room=lobby&since=0&timeout=0`);
      expect(body.messages.filter((m: { type: string }) => m.type === 'join').map((m: { author: string }) => m.author)).toEqual(['pia']);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('holds the rate limit across nodes: posts through either count against one limit', async () => {
    const [a, b] = await twoNodes({ RATE_LIMIT: '4' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await say(i % 2 === 0 ? a : b, `m${i}`)).status);
      expect(statuses).toEqual([201, 201, 201, 201, 429, 429]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('knows a session, an account and a profile on every node, and ends a session everywhere', async () => {
    const [a, b] = await twoNodes({ RATE_LIMIT: '0', GRAPH: sessionGraphFile() });
    try {
      const token = await signIn(a.base, 'alice');
      expect((await as(b.base, token).post('', { text: 'from b' })).status).toBe(201);
      expect((await postJson(`${b.base}/session`, { nick: 'alice' })).body.error.code).toBe('NICK_TAKEN');
      const account = await postJson(`${b.base}/accounts`, { login: 'carol', password: 'correct horse' });
      expect(account.status).toBe(201);
      expect((await postJson(`${a.base}/session`, { login: 'carol', password: 'correct horse' })).status).toBe(201);
      expect((await as(a.base, account.body.token).send('PATCH', '/session', { status: 'on node a' })).status).toBe(200);
      expect((await call(`${b.base}/users/carol`)).body).toMatchObject({ nick: 'carol', status: 'on node a' });
      // Node a has just confirmed the session (and trusts it for a moment); the end on b reaches it before the client does.
      expect((await as(a.base, token).post('', { text: 'from a' })).status).toBe(201);
      expect((await as(b.base, token).send('DELETE', '/session')).status).toBe(204);
      expect((await as(a.base, token).post('', { text: 'after the end' })).body.error.code).toBe('NO_SESSION');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('keeps a private room private on every node: members reach it through either, others through neither', async () => {
    const [a, b] = await twoNodes({ RATE_LIMIT: '0', GRAPH: sessionGraphFile() });
    try {
      const alice = await signIn(a.base, 'alice');
      const bob = await signIn(b.base, 'bob');
      const eve = await signIn(a.base, 'eve');
      expect((await as(a.base, alice).post('/rooms', { name: 'ops', private: true, members: ['bob'] })).status).toBe(201);
      expect((await as(b.base, bob).post('', { room: 'ops', text: 'through b' })).status).toBe(201);
      const seen = (await as(a.base, alice).get('?room=ops&since=0&timeout=0')).body.messages;
      expect(seen.filter((m: { type: string }) => m.type === 'message').map((m: { text: string }) => m.text)).toEqual(['through b']);
      for (const node of [a, b]) {
        expect((await as(node.base, eve).get('?room=ops&since=0&timeout=0')).body.error.code).toBe('NOT_A_MEMBER');
        expect((await as(node.base, eve).post('', { room: 'ops', text: 'let me in' })).body.error.code).toBe('NOT_A_MEMBER');
      }
      expect(roomsIn(await as(b.base, bob).get('/rooms'))).toContainEqual(expect.objectContaining({ name: 'ops', private: true, members: ['alice', 'bob'] }));
      expect(roomsIn(await as(b.base, eve).get('/rooms')).map((r) => r.name)).not.toContain('ops');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('keeps sessions and accounts when a node restarts', async () => {
    const [a, b, env] = await twoNodes({ RATE_LIMIT: '0', GRAPH: sessionGraphFile() });
    const guest = await signIn(a.base, 'gus');
    const account = (await postJson(`${a.base}/accounts`, { login: 'dora', password: 'correct horse' })).body.token;
    await Promise.all([a.close(), b.close()]);
    const again = await startServer(env);
    try {
      expect((await as(again.base, guest).get('/session')).body).toMatchObject({ nick: 'gus', guest: true });
      expect((await as(again.base, account).get('/session')).body).toMatchObject({ nick: 'dora', guest: false });
      expect((await postJson(`${again.base}/session`, { login: 'dora', password: 'correct horse' })).status).toBe(201);
    } finally {
      await again.close();
    }
  });

  it('keeps the epoch, history, sessions and accounts when Redis restarts from its append-only file, the nodes serving again by themselves', async () => {
    const [a, b] = await twoNodes({ RATE_LIMIT: '0', GRAPH: sessionGraphFile() });
    try {
      const guest = await signIn(a.base, 'gwen');
      const account = (await postJson(`${b.base}/accounts`, { login: 'hana', password: 'correct horse' })).body.token;
      expect((await as(a.base, guest).post('', { text: 'before the restart' })).status).toBe(201);
      const { body: before } = await call(`${a.base}?room=lobby&since=0&timeout=0`);
      await redis.server().stop();
      await redis.server().start();
      // Each node reconnects by itself: no restart of theirs.
      await waitFor(async () => (await call(`${b.base}/health`)).status === 200, 15_000);
      await waitFor(async () => (await call(`${a.base}/health`)).status === 200, 15_000);
      const { body: after } = await call(`${b.base}?room=lobby&since=0&timeout=0&epoch=${before.epoch}`);
      expect(after).toMatchObject({ epoch: before.epoch, reset: false });
      expect(after.messages.map((m: { text: string }) => m.text)).toContain('before the restart');
      expect((await as(b.base, guest).get('/session')).body).toMatchObject({ nick: 'gwen', guest: true });
      expect((await as(a.base, account).get('/session')).body).toMatchObject({ nick: 'hana', guest: false });
      expect((await postJson(`${a.base}/session`, { login: 'hana', password: 'correct horse' })).status).toBe(201);
      expect((await as(a.base, guest).post('', { text: 'after the restart' })).status).toBe(201);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('keeps the epoch and the history when a node restarts', async () => {
    const [a, b, env] = await twoNodes();
    await say(a, 'before the restart');
    const { body: before } = await call(`${b.base}?room=lobby&since=0&timeout=0`);
    await a.close();
    const again = await startServer(env);
    try {
      const { body: after } = await call(`${again.base}?room=lobby&since=0&timeout=0&epoch=${before.epoch}`);
      expect(after).toMatchObject({ epoch: before.epoch, reset: false, messages: [{ id: 1, text: 'before the restart' }] });
      expect((await call(`${again.base}/health`)).body.epoch).toBe(before.epoch);
    } finally {
      await Promise.all([again.close(), b.close()]);
    }
  });

  it('answers 503 STORE_UNAVAILABLE with Retry-After while Redis is away, answers held polls with what they have, and serves again by itself, saying so in its log', async () => {
    const env = { ...redis.env(), RATE_LIMIT: '0' };
    const log = capturingLogger();
    const a = await startServer(env);
    const b = await startServer(env, { logger: log.logger });
    try {
      await say(a, 'kept');
      const poll = openPoll(`${b.base}?room=lobby&since=1&timeout=30`);
      await waitFor(async () => (await heldPolls(b.base)) === 1);
      await redis.server().stop();
      const held = await poll.answer;
      expect(held.ms).toBeLessThan(AT_ONCE_MS);
      expect(held.body).toMatchObject({ messages: [], next: 1, reset: false });
      for (const refused of [await say(a, 'lost?'), await call(`${b.base}?room=lobby&since=0&timeout=0`), await call(`${a.base}/health`)]) {
        expect(refused.status).toBe(503);
        expect(refused.body.error.code).toBe('STORE_UNAVAILABLE');
        expect(refused.headers.get('retry-after')).toMatch(/^[1-9][0-9]*$/);
      }
      const lost = log.lines.find((line) => line.msg?.startsWith('Redis cannot be reached'));
      expect(lost).toMatchObject({ level: 40, redis: redis.server().url });
      await redis.server().start();
      await waitFor(async () => (await say(b, 'back')).status === 201, 15_000);
      await waitFor(() => log.lines.some((line) => line.msg === 'Redis is back: serving again'));
      const { body } = await call(`${a.base}?room=lobby&since=0&timeout=0`);
      expect(body.messages.map((m: { text: string }) => m.text)).toEqual(['kept', 'back']);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
