import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_HEADERS } from '../../src/http/page-headers.ts';
import { capturingLogger } from '../helpers/log-lines.ts';
import { call, postJson, startServer, type TestServer } from '../helpers/server.ts';
import { signIn } from '../helpers/sessions.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

describe('common rules', () => {
  it.each([
    // A poll held until its timeout: the shortest one keeps the suite quick.
    ['GET', '?timeout=0.1'],
    ['GET', '?since=x'],
    ['GET', '/health'],
    ['GET', '/graph'],
    ['GET', '/nope'],
    ['DELETE', ''],
  ])('%s B%s answers JSON with cache-control: no-store', async (method, path) => {
    const answer = await call(`${server.base}${path}`, { method });
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(answer.headers.get('cache-control')).toBe('no-store');
  });

  it('answers every error as {"error": {"code", "message"}}', async () => {
    const answer = await call(`${server.base}?limit=0`);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: { code: 'BAD_LIMIT', message: 'limit must be an integer from 1 to 1000' } });
  });

  it('answers an unknown path under B with 404 NOT_FOUND', async () => {
    for (const path of ['/nope', '/health/x', '/messages']) {
      const answer = await call(`${server.base}${path}`);
      expect(answer.status).toBe(404);
      expect(answer.body.error.code).toBe('NOT_FOUND');
    }
  });

  it('answers a path outside the chat and the page with 404 NOT_FOUND in JSON', async () => {
    const answer = await call(`${server.origin}/elsewhere`);
    expect(answer).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
  });

  it('answers a known path with a wrong method 405 METHOD_NOT_ALLOWED with Allow', async () => {
    const chat = await call(server.base, { method: 'PUT' });
    expect(chat.status).toBe(405);
    expect(chat.headers.get('allow')).toBe('GET, POST');
    expect(chat.body.error.code).toBe('METHOD_NOT_ALLOWED');
    const health = await call(`${server.base}/health`, { method: 'POST' });
    expect(health.status).toBe(405);
    expect(health.headers.get('allow')).toBe('GET');
  });

  // What a client sends in a body a path or method does not take cannot change that answer.
  it.each([
    ['a body that is not JSON', 'application/json', '{"text": '],
    ['a body of another media type', 'text/plain', 'hello'],
    ['a body over the limit', 'application/json', JSON.stringify({ text: 'x'.repeat(20_000) })],
  ])('answers 405 and 404 before anything about %s', async (_what, contentType, body) => {
    const wrongMethod = await call(`${server.base}/health`, { method: 'POST', headers: { 'content-type': contentType }, body });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.body.error.code).toBe('METHOD_NOT_ALLOWED');
    expect(wrongMethod.headers.get('allow')).toBe('GET');
    const origin = new URL(server.base).origin;
    // Under B, beside the page, outside both.
    for (const url of [`${server.base}/nope`, `${origin}/gochat/app.js`, `${origin}/nowhere`]) {
      const unknownPath = await call(url, { method: 'POST', headers: { 'content-type': contentType }, body });
      expect([url, unknownPath.status, unknownPath.body.error?.code]).toEqual([url, 404, 'NOT_FOUND']);
    }
  });

  it.each([
    ['a body that is not JSON', 'application/json', '{"text": ', 400, 'BAD_JSON'],
    ['a body of another media type', 'text/plain', 'hello', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a body over the limit', 'application/json', JSON.stringify({ text: 'x'.repeat(20_000) }), 413, 'BODY_TOO_LARGE'],
  ])('refuses %s where the body is read: a post, a session, a room', async (_what, contentType, body, status, code) => {
    for (const path of ['', '/session', '/accounts', '/rooms']) {
      const answer = await call(`${server.base}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });
      expect([path, answer.status, answer.body.error?.code]).toEqual([path, status, code]);
    }
  });

  it('answers a request that takes no body as if none had come, whatever came', async () => {
    const token = await signIn(server.base, 'bodyless');
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const leave = await call(`${server.base}/rooms/lobby/leave`, { method: 'POST', headers, body: '{"text": ' });
    expect(leave.status).toBe(200);
    const ended = await call(`${server.base}/session`, { method: 'DELETE', headers, body: '{"text": ' });
    expect(ended.status).toBe(204);
    expect((await call(`${server.base}/session`, { headers })).status).toBe(401);
  });

  it('routes by method and path: GET B polls, POST B posts', async () => {
    const posted = await postJson(server.base, { author: 'a', text: 'routed', room: 'routing' });
    expect(posted.status).toBe(201);
    const polled = await call(`${server.base}?room=routing&timeout=0`);
    expect(polled.body.messages.map((m) => m.text)).toEqual(['routed']);
  });

  it('serves the page at the parent of B', async () => {
    const page = await fetch(`${server.origin}/gochat/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const redirect = await fetch(`${server.origin}/gochat`, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('/gochat/');
  });

  it('answers 503 SHUTTING_DOWN with Retry-After once shutdown has begun', async () => {
    const stopping = await startServer();
    try {
      stopping.app.adapter.refuseNewRequests();
      const answer = await call(`${stopping.base}?timeout=0`);
      expect(answer.status).toBe(503);
      expect(answer.body.error.code).toBe('SHUTTING_DOWN');
      expect(answer.headers.get('retry-after')).toBe('5');
      expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
      const page = await fetch(`${stopping.origin}/gochat/`);
      expect(page.status).toBe(503);
      expect(((await page.json()) as { error: { code: string } }).error.code).toBe('SHUTTING_DOWN');
    } finally {
      await stopping.close();
    }
  });
});

describe('requests refused before they reach the graph', () => {
  it.each(['/%', '/users/%zz', '%'])('answers B%s, not valid percent-encoding, 400 BAD_PATH in the protocol\'s shape', async (path) => {
    const answer = await call(`${server.base}${path}`);
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.body.error.code).toBe('BAD_PATH');
  });

  it.each(['/gochat/%00', '/gochat/..%2f..%2fpackage.json', '/gochat/%2e%2e/package.json', '/gochat/nothing.js'])('answers %s on the page\'s route 404 NOT_FOUND, not 500, logging no error', async (path) => {
    const { logger, lines } = capturingLogger();
    const quiet = await startServer({}, { logger });
    try {
      const answer = await call(`${quiet.origin}${path}`);
      expect(answer.status).toBe(404);
      expect(answer.body.error.code).toBe('NOT_FOUND');
      expect(lines.filter((line) => line.level >= 50)).toEqual([]);
    } finally {
      await quiet.close();
    }
  });

  it.each(['/gochat/', '/gochat/app.js', '/gochat/style.css'])('serves %s with the same security headers as nginx', async (path) => {
    const page = await fetch(`${server.origin}${path}`);
    expect(page.status).toBe(200);
    for (const [name, value] of Object.entries(PAGE_HEADERS)) expect(page.headers.get(name), name).toBe(value);
  });
});
