import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../helpers/clock.ts';
import { call, postJson, startServer, type TestServer } from '../helpers/server.ts';

const clock = new ManualClock();
let server: TestServer;
beforeAll(async () => {
  server = await startServer({ RATE_LIMIT: '0' }, { now: clock.now });
});
afterAll(() => server.close());

let rooms = 0;
const room = () => `post-${++rooms}`;

describe('POST B', () => {
  it('stores a JSON post and answers 201 with the message', async () => {
    const r = room();
    const answer = await postJson(server.base, { author: 'alice', text: 'hi', room: r, nonce: 'V1StGXR8_Z5jdHi6B-myT' });
    expect(answer.status).toBe(201);
    // time: the server's clock when it stored the message.
    expect(answer.body.message).toEqual({ id: 1, room: r, type: 'message', author: 'alice', text: 'hi', time: clock.now(), nonce: 'V1StGXR8_Z5jdHi6B-myT' });
  });

  it('stores a url-encoded post, as the classic form sends it', async () => {
    const r = room();
    const answer = await call(`${server.base}?room=${r}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'author=bob&text=hello+%26+welcome%0Aline+two',
    });
    expect(answer.status).toBe(201);
    expect(answer.body.message).toMatchObject({ room: r, author: 'bob', text: 'hello & welcome\nline two' });
  });

  it('returns text as stored: no HTML escaping, emoji and NFC kept', async () => {
    const r = room();
    const text = '<img src=x onerror=alert(1)> & 😀 cafe\u0301';
    await postJson(server.base, { author: '<b>eve</b>', text, room: r });
    const [message] = (await call(`${server.base}?room=${r}`)).body.messages;
    expect(message?.text).toBe('<img src=x onerror=alert(1)> & 😀 caf\u00e9');
    expect(message?.author).toBe('<b>eve</b>');
  });

  it('gives 50 concurrent posts the ids 1…50, losing none', async () => {
    const r = room();
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => postJson(server.base, { author: 'a', text: `n${i}`, room: r })));
    expect(answers.every((a) => a.status === 201)).toBe(true);
    expect(answers.map((a) => a.body.message.id).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const history = await call(`${server.base}?room=${r}&limit=1000`);
    expect(history.body.messages.map((m) => m.id)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(new Set(history.body.messages.map((m) => m.text)).size).toBe(50);
  });

  it('answers a retry with the same nonce 200 with the original message, appending nothing', async () => {
    const r = room();
    const first = await postJson(server.base, { author: 'alice', text: 'once', room: r, nonce: 'retry-1' });
    const retry = await postJson(server.base, { author: 'alice', text: 'once', room: r, nonce: 'retry-1' });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(200);
    expect(retry.body.message).toEqual(first.body.message);
    expect((await call(`${server.base}?room=${r}`)).body.messages).toHaveLength(1);
  });

  it('answers concurrent retries of one nonce with one message', async () => {
    const r = room();
    const answers = await Promise.all(Array.from({ length: 10 }, () => postJson(server.base, { author: 'a', text: 't', room: r, nonce: 'same' })));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(new Set(answers.map((a) => a.body.message.id))).toEqual(new Set([1]));
  });
});
