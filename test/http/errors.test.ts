import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, heldPolls, openPoll, postJson, startServer, waitFor, type TestServer } from '../helpers/server.ts';
import { ManualClock } from '../helpers/clock.ts';
import { openPostingGraph, setInitial, writeGraph } from '../helpers/graph-file.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ RATE_LIMIT: '0' });
});
afterAll(() => server.close());

const form = { 'content-type': 'application/x-www-form-urlencoded' };

describe('errors a client can cause', () => {
  it.each<[string, string, string]>([
    ['since=-1', 'BAD_SINCE', 'since must be'],
    ['since=1&since=2', 'BAD_SINCE', 'since must be'],
    ['since=', 'BAD_SINCE', 'since must be'],
    ['room=Lobby', 'BAD_ROOM', 'room must be'],
    ['timeout=61', 'BAD_TIMEOUT', 'timeout must be'],
    ['limit=0', 'BAD_LIMIT', 'limit must be'],
    ['epoch=no%20spaces', 'BAD_EPOCH', 'epoch must be'],
  ])('GET B?%s → 400 %s', async (query, code, message) => {
    const answer = await call(`${server.base}?${query}`);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe(code);
    expect(answer.body.error.message).toContain(message);
  });

  it.each<[string, RequestInit, number, string]>([
    ['malformed JSON', { headers: { 'content-type': 'application/json' }, body: '{"text": "hi",' }, 400, 'BAD_JSON'],
    ['an empty JSON body', { headers: { 'content-type': 'application/json' }, body: '' }, 400, 'BAD_JSON'],
    ['a JSON array', { headers: { 'content-type': 'application/json' }, body: '[]' }, 400, 'BAD_JSON'],
    ['no author', { headers: form, body: 'text=hi' }, 400, 'BAD_AUTHOR'],
    ['a blank text', { headers: form, body: 'author=a&text=%20%20' }, 400, 'BAD_TEXT'],
    ['a control character', { headers: form, body: 'author=a&text=a%07b' }, 400, 'BAD_TEXT'],
    ['text given twice', { headers: form, body: 'author=a&text=x&text=y' }, 400, 'BAD_TEXT'],
    ['a bad nonce', { headers: form, body: 'author=a&text=x&nonce=' }, 400, 'BAD_NONCE'],
    ['a bad room', { headers: form, body: 'author=a&text=x&room=A%20B' }, 400, 'BAD_ROOM'],
    ['text/plain', { headers: { 'content-type': 'text/plain' }, body: 'hi' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['no body', {}, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a body over 16 KiB', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ author: 'a', text: 'x'.repeat(17_000) }) }, 413, 'BODY_TOO_LARGE'],
  ])('POST B with %s → %s %s, storing nothing', async (_name, init, status, code) => {
    const room = `refused-${code.toLowerCase()}`;
    const answer = await call(`${server.base}?room=${room}`, { method: 'POST', ...init });
    expect(answer.status).toBe(status);
    expect(answer.body.error.code).toBe(code);
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect((await call(`${server.base}?room=${room}&timeout=0`)).body.messages).toEqual([]);
  });

  it('survives a flood of bad input, answering each BAD_JSON, and still serves', async () => {
    const bad = ['\u0000', '{"a":', '[[[[[[[[', '"\\ud800"', 'null', '1e999', '{"text": "x"', '\ufeff{}'];
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => bad[i % bad.length]!).map((body) =>
        call(`${server.base}?room=flood`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })),
    );
    expect(answers.map((a) => [a.status, a.body.error.code])).toEqual(answers.map(() => [400, 'BAD_JSON']));
    expect((await call(`${server.base}?room=flood&timeout=0`)).body.messages).toEqual([]);
    expect((await postJson(server.base, { author: 'a', text: 'still here', room: 'flood' })).status).toBe(201);
  });
});

describe('errors from the server\'s bounds', () => {
  it('answers 429 RATE_LIMITED past RATE_LIMIT posts in 10 s, with the seconds until the oldest leaves the window', async () => {
    const clock = new ManualClock();
    const limited = await startServer({ RATE_LIMIT: '2' }, { now: clock.now });
    try {
      const answers = [];
      for (let i = 0; i < 2; i++) answers.push(await postJson(limited.base, { author: 'a', text: `t${i}` }));
      clock.advance(3_000);
      answers.push(await postJson(limited.base, { author: 'a', text: 't2' }));
      expect(answers.map((a) => a.status)).toEqual([201, 201, 429]);
      const refused = answers[2]!;
      expect(refused.body.error.code).toBe('RATE_LIMITED');
      expect(refused.headers.get('retry-after')).toBe('7');
      expect(refused.headers.get('cache-control')).toBe('no-store');
      expect((await call(`${limited.base}?timeout=0`)).body.messages).toHaveLength(2);
      clock.advance(6_999);
      expect((await postJson(limited.base, { author: 'a', text: 't3' })).status).toBe(429);
      clock.advance(1);
      expect((await postJson(limited.base, { author: 'a', text: 't4' })).status).toBe(201);
    } finally {
      await limited.close();
    }
  });

  it('limits each client by the address the trusted proxy forwards', async () => {
    const limited = await startServer({ RATE_LIMIT: '1' });
    try {
      const as = (ip: string) => postJson(limited.base, { author: 'a', text: 'x' }, { 'x-forwarded-for': ip });
      expect((await as('203.0.113.1')).status).toBe(201);
      expect((await as('203.0.113.2')).status).toBe(201);
      expect((await as('203.0.113.1')).status).toBe(429);
    } finally {
      await limited.close();
    }
  });

  it('ignores X-Forwarded-For from an address it does not trust', async () => {
    const limited = await startServer({ RATE_LIMIT: '1', TRUST_PROXY: '192.0.2.1' });
    try {
      const as = (ip: string) => postJson(limited.base, { author: 'a', text: 'x' }, { 'x-forwarded-for': ip });
      expect((await as('203.0.113.1')).status).toBe(201);
      expect((await as('203.0.113.2')).status).toBe(429);
    } finally {
      await limited.close();
    }
  });

  it('answers 503 TOO_MANY_POLLS with Retry-After past MAX_HELD_POLLS', async () => {
    const small = await startServer({ MAX_HELD_POLLS: '1' });
    try {
      const first = openPoll(`${small.base}?timeout=30`);
      await waitFor(async () => (await heldPolls(small.base)) === 1);
      const second = await call(`${small.base}?timeout=30`);
      expect(second.status).toBe(503);
      expect(second.body.error.code).toBe('TOO_MANY_POLLS');
      expect(second.headers.get('retry-after')).toBe('2');
      first.disconnect();
    } finally {
      await small.close();
    }
  });

  it('answers 503 ROOM_LIMIT for a new room past the limit on rooms', async () => {
    const graph = setInitial(openPostingGraph(), 'Storage', 'maxRooms', 1);
    const small = await startServer({ GRAPH: writeGraph(graph), RATE_LIMIT: '0' });
    try {
      expect((await postJson(small.base, { author: 'a', text: 'x', room: 'one' })).status).toBe(201);
      const refused = await postJson(small.base, { author: 'a', text: 'x', room: 'two' });
      expect(refused.status).toBe(503);
      expect(refused.body.error.code).toBe('ROOM_LIMIT');
      expect((await call(`${small.base}/health`)).body.rooms).toBe(1);
    } finally {
      await small.close();
    }
  });
});
