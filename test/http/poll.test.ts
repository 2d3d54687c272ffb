import { once } from 'node:events';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostingGraph, setInitial, writeGraph } from '../helpers/graph-file.ts';
import { parseAnswers, rawConnection } from '../helpers/raw-http.ts';
import { AT_ONCE_MS, call, heldPolls, openPoll, postJson, startServer, waitFor, type TestServer } from '../helpers/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ RATE_LIMIT: '0' });
});
afterAll(() => server.close());

/** Each test gets a room of its own, so ids start at 1. */
let rooms = 0;
const room = () => `poll-${++rooms}`;

describe('GET B (poll)', () => {
  it('answers at once with what is retained after since', async () => {
    const r = room();
    for (const text of ['one', 'two', 'three']) await postJson(server.base, { author: 'a', text, room: r });
    const answer = await call(`${server.base}?room=${r}&since=1`);
    expect(answer.status).toBe(200);
    expect(answer.ms).toBeLessThan(AT_ONCE_MS);
    expect(answer.body).toMatchObject({ room: r, next: 3, more: false, reset: false, truncated: false });
    expect(answer.body.messages.map((m) => [m.id, m.text])).toEqual([[2, 'two'], [3, 'three']]);
  });

  it('answers each query for its own parameters, the same one twice in a row or one that ends as the one before', async () => {
    const r = room();
    await postJson(server.base, { author: 'a', text: 'here', room: r });
    const ask = async (query: string) => (await call(`${server.base}?${query}`)).body;
    const first = await ask(`room=${r}&since=0&timeout=0`);
    expect([first.room, first.messages.map((m) => m.text)]).toEqual([r, ['here']]);
    expect((await ask(`room=${r}&since=0&timeout=0`)).messages.map((m) => m.text)).toEqual(['here']);
    // The query before ends with this whole one, which is still read as itself: a poll of the lobby.
    expect((await ask('since=0&timeout=0')).room).toBe('lobby');
    expect((await ask(`room=${r}&since=1&timeout=0`)).messages).toEqual([]);
  });

  it('holds a poll until a message arrives and answers it at once', async () => {
    const r = room();
    const before = await heldPolls(server.base);
    const poll = openPoll(`${server.base}?room=${r}&timeout=60`);
    await waitFor(async () => (await heldPolls(server.base)) === before + 1);
    const sent = performance.now();
    await postJson(server.base, { author: 'bob', text: 'wake up', room: r });
    const answer = await poll.answer;
    expect(answer.body.messages.map((m) => m.text)).toEqual(['wake up']);
    expect(answer.body.next).toBe(1);
    // Released by the post, not by its 60 s timeout.
    expect(performance.now() - sent).toBeLessThan(AT_ONCE_MS);
  });

  it('answers an empty list when the timeout passes', async () => {
    const r = room();
    const answer = await call(`${server.base}?room=${r}&timeout=0.5`);
    expect(answer.body).toMatchObject({ messages: [], next: 0, more: false, reset: false });
    // Held for its timeout (timers may fire a millisecond early), then answered.
    expect(answer.ms).toBeGreaterThanOrEqual(490);
    expect(answer.ms).toBeLessThan(AT_ONCE_MS);
  });

  it('frees a held poll as soon as its client disconnects', async () => {
    const before = await heldPolls(server.base);
    const polls = Array.from({ length: 5 }, () => openPoll(`${server.base}?room=${room()}&timeout=60`));
    await waitFor(async () => (await heldPolls(server.base)) === before + 5);
    for (const poll of polls) poll.disconnect();
    await waitFor(async () => (await heldPolls(server.base)) === before);
  });

  it('frees every poll a client pipelined on one connection when it closes', async () => {
    const before = await heldPolls(server.base);
    const { hostname, host, port, pathname } = new URL(server.base);
    const socket = connect(Number(port), hostname);
    await once(socket, 'connect');
    // Two polls in one write: node:http answers them in turn, so the second's response waits behind the first's.
    const poll = (r: string): string => `GET ${pathname}?room=${r}&timeout=60 HTTP/1.1\r\nhost: ${host}\r\n\r\n`;
    socket.write(poll(room()) + poll(room()));
    await waitFor(async () => (await heldPolls(server.base)) === before + 2);
    socket.destroy();
    await waitFor(async () => (await heldPolls(server.base)) === before);
    // Nor does the adapter keep either request open.
    expect(server.app.adapter.open.size).toBe(0);
  });

  it('reads no body a poll carries, and goes on to the request pipelined behind it', async () => {
    const r = room();
    const before = await heldPolls(server.base);
    const { host, pathname } = new URL(server.base);
    const connection = await rawConnection(server.base);
    // A body larger than a request stream buffers (16 KiB) before node:http stops reading the socket.
    const body = 'x'.repeat(100_000);
    connection.write(
      `GET ${pathname}?room=${r}&timeout=60 HTTP/1.1\r\nhost: ${host}\r\ncontent-length: ${body.length}\r\n\r\n${body}` +
        `GET ${pathname}/health HTTP/1.1\r\nhost: ${host}\r\nconnection: close\r\n\r\n`,
    );
    await waitFor(async () => (await heldPolls(server.base)) === before + 1);
    await postJson(server.base, { author: 'a', text: 'after the body', room: r });
    const [poll, health, ...more] = parseAnswers((await connection.ended).text);
    expect(more).toEqual([]);
    expect(poll?.status).toBe(200);
    expect(JSON.parse(poll?.body ?? '').messages.map((m: { text: string }) => m.text)).toEqual(['after the body']);
    expect(health?.status).toBe(200);
    expect(JSON.parse(health?.body ?? '')).toMatchObject({ status: 'ok' });
  });

  it('returns at most limit messages and says more are waiting', async () => {
    const r = room();
    for (let i = 1; i <= 5; i++) await postJson(server.base, { author: 'a', text: `m${i}`, room: r });
    const first = await call(`${server.base}?room=${r}&limit=2`);
    expect(first.body).toMatchObject({ next: 2, more: true });
    const rest = await call(`${server.base}?room=${r}&since=${first.body.next}&limit=10`);
    expect(rest.body.messages.map((m) => m.id)).toEqual([3, 4, 5]);
    expect(rest.body.more).toBe(false);
  });

  it('resets a client with another epoch, from the oldest message', async () => {
    const r = room();
    await postJson(server.base, { author: 'a', text: 'x', room: r });
    const answer = await call(`${server.base}?room=${r}&since=1&epoch=fromAnOldServer&timeout=60`);
    expect(answer.body).toMatchObject({ reset: true, next: 1 });
    expect(answer.body.messages.map((m) => m.id)).toEqual([1]);
    expect(answer.ms).toBeLessThan(AT_ONCE_MS);
  });

  it('resets a client whose since is beyond the last id; with nothing retained next is 0', async () => {
    const answer = await call(`${server.base}?room=${room()}&since=40&timeout=60`);
    expect(answer.body).toMatchObject({ reset: true, messages: [], next: 0 });
    expect(answer.ms).toBeLessThan(AT_ONCE_MS);
  });

  it('keeps the epoch steady across answers and in /health', async () => {
    const a = await call(`${server.base}?timeout=0`);
    const b = await call(`${server.base}/health`);
    expect(a.body.epoch).toBe(b.body.epoch);
  });

  it('delivers one message to every poll held in its room', async () => {
    const r = room();
    const before = await heldPolls(server.base);
    const polls = Array.from({ length: 20 }, () => openPoll(`${server.base}?room=${r}&timeout=30`));
    await waitFor(async () => (await heldPolls(server.base)) === before + 20);
    await postJson(server.base, { author: 'a', text: 'to all', room: r });
    const answers = await Promise.all(polls.map((p) => p.answer));
    expect(answers.every((a) => a.body.messages.length === 1 && a.body.messages[0]?.text === 'to all')).toBe(true);
  });
});

describe('GET B with a small buffer', () => {
  it('says truncated when messages between since and the first returned were dropped', async () => {
    const graph = setInitial(openPostingGraph(), 'Storage', 'capacity', 3);
    const small = await startServer({ GRAPH: writeGraph(graph), RATE_LIMIT: '0' });
    try {
      for (let i = 1; i <= 6; i++) await postJson(small.base, { author: 'a', text: `m${i}` });
      const answer = await call(`${small.base}?since=1`);
      expect(answer.body.messages.map((m) => m.id)).toEqual([4, 5, 6]);
      expect(answer.body.truncated).toBe(true);
      const fromZero = await call(`${small.base}?since=0`);
      expect(fromZero.body.truncated).toBe(true);
      const upToDate = await call(`${small.base}?since=3`);
      expect(upToDate.body.truncated).toBe(false);
    } finally {
      await small.close();
    }
  });
});
