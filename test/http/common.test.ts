import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_HEADERS } from '../../src/http/page-headers.ts';
import { capturingLogger } from '../helpers/log-lines.ts';
import { call, postJson, startServer, type TestServer } from '../helpers/server.ts';

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
