import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protocolErrors, statusOf, type ErrorCode } from '../../src/protocol/errors.ts';
import { parseAnswers, rawConnection } from '../helpers/raw-http.ts';
import { call, heldPolls, postJson, startServer, waitFor, type TestServer } from '../helpers/server.ts';

/**
 * Arbitrary requests, drawn from a seeded generator so that a failure is
 * the same on every run: whatever a client sends, every answer keeps
 * PROTOCOL.md's common rules (JSON with cache-control: no-store, errors as
 * {"error": {"code", "message"}} with the code's status, no 500), and the
 * server still serves, holding nothing, afterwards.
 */

/** mulberry32: a small seeded generator, enough to draw requests from. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const REQUESTS = 1_200;
const AT_ONCE = 8;
const SEED = 20261203;

const METHODS = ['GET', 'GET', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'];
const PATHS = ['', '/', '/session', '/accounts', '/rooms', '/rooms/lobby/invite', '/rooms/x/leave', '/rooms/%zz/leave', '/users', '/users/alice', '/users/%ff',
  '/health', '/graph', '/graph/traces', '/auth/oidc', '/auth/oidc/callback', '/nope', '//', '/%', '/..%2f', '/users/__proto__'];
const PARAMS = ['since', 'room', 'epoch', 'limit', 'q', 'code', 'state', '__proto__', 'constructor'];
const VALUES = ['', '0', '-1', '1e3', '9007199254740993', 'abc', '%', '%zz', '%00', '%C3%A9', '1.5', '%201', 'lobby', 'a'.repeat(70), '__proto__', '%ED%A0%80', '%F0%9F%98%80', 'x%26y', '[]'];
const BODIES = ['{', '[]', 'null', '1', '"x"', '{"text":1}', '{"text":"hi"}', '{"text":"hi","room":"Lobby"}', '{"nick":"a b"}', '{"nick":"fuzzer"}', '{"login":"x","password":"y"}',
  '{"name":"ops","private":"yes","members":"bob"}', '{"status":"x","bio":null}', '{"password":{"old":1}}', '{"code":""}', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}',
  'text=hi', 'text=hi&text=again', 'nick=%zz', 'a=%', '\u0000', '\ufeff{}', 'x'.repeat(20_000)];
const TYPES = ['application/json', 'application/json; charset=utf-8', 'application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data', undefined];
const ERROR_CODES = new Set(Object.keys(protocolErrors));

describe('arbitrary requests', () => {
  let server: TestServer;
  let tokens: string[];
  beforeAll(async () => {
    server = await startServer();
    tokens = await Promise.all(['ann', 'ben'].map(async (nick) => ((await postJson(`${server.base}/session`, { nick })).body as { token: string }).token));
  });
  afterAll(() => server.close());

  /** request draws one request's bytes; a few carry a body with no framing, whose bytes then read as a request of their own. */
  function request(random: () => number): { text: string; method: string; path: string } {
    const pick = <T,>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
    const method = pick(METHODS);
    const query = Array.from({ length: Math.floor(random() * 4) }, () => `${pick(PARAMS)}${random() < 0.9 ? `=${pick(VALUES)}` : ''}`);
    // Answered at once, never held: this is about the answers' form, not about waiting.
    query.push('timeout=0');
    const path = `${new URL(server.base).pathname}${pick(PATHS)}?${query.join('&')}`;
    const headers = [`Host: ${new URL(server.origin).host}`];
    if (random() < 0.6) headers.push(`Authorization: ${pick(['Bearer ', 'bearer ', 'Basic ', 'Bearer'])}${pick([...tokens, 'x', ''])}`);
    let body = '';
    if (method !== 'GET' && method !== 'HEAD' && random() < 0.8) {
      const type = pick(TYPES);
      if (type !== undefined) headers.push(`Content-Type: ${type}`);
      body = pick(BODIES);
    }
    // An unframed body ends as a head would, so that the server reads all of it as one bad request at once.
    const unframed = body !== '' && random() < 0.1;
    if (unframed) body += '\r\n\r\n';
    else headers.push(`Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close');
    return { text: `${method} ${path} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n${body}`, method, path };
  }

  /** problems lists how the answers to one request break the common rules. */
  function problems(method: string, path: string, text: string): string[] {
    const found: string[] = [];
    const answers = parseAnswers(text, (status, index) => status === 204 || (method === 'HEAD' && index === 0));
    if (answers.length === 0) found.push('no answer');
    for (const answer of answers) {
      if (answer.status >= 500 && answer.status !== 503) found.push(`status ${answer.status}: ${answer.body.slice(0, 120)}`);
      if (answer.status === 204) continue;
      if (answer.headers.get('content-type') !== 'application/json; charset=utf-8') found.push(`content-type ${answer.headers.get('content-type')}`);
      if (answer.headers.get('cache-control') !== 'no-store') found.push(`cache-control ${answer.headers.get('cache-control')}`);
      if (method === 'HEAD' && answer === answers[0]) continue;
      let json: unknown;
      try {
        json = JSON.parse(answer.body);
      } catch {
        found.push(`a body that is not JSON: ${answer.body.slice(0, 120)}`);
        continue;
      }
      if (answer.status >= 400) {
        const error = (json as { error?: { code?: unknown; message?: unknown } }).error;
        const code = error?.code;
        if (typeof code !== 'string' || !ERROR_CODES.has(code)) found.push(`an error without a known code: ${answer.body.slice(0, 120)}`);
        else if (statusOf(code as ErrorCode) !== answer.status) found.push(`${code} with status ${answer.status}`);
        if (typeof error?.message !== 'string' || error.message === '') found.push(`an error without a message: ${answer.body.slice(0, 120)}`);
      }
    }
    return found.map((problem) => `${method} ${path}: ${problem}`);
  }

  it(`answers ${REQUESTS} of them (seed ${SEED}) in the protocol's shape, and still serves, holding nothing`, async () => {
    const random = generator(SEED);
    const requests = Array.from({ length: REQUESTS }, () => request(random));
    const found: string[] = [];
    for (let from = 0; from < requests.length; from += AT_ONCE) {
      await Promise.all(requests.slice(from, from + AT_ONCE).map(async ({ text, method, path }) => {
        const connection = await rawConnection(server.origin, 10_000);
        connection.write(text);
        const ended = await connection.ended;
        if (!ended.closed) found.push(`${method} ${path}: the connection was still open after 10 s`);
        else found.push(...problems(method, path, ended.text));
      }));
    }
    expect(found).toEqual([]);
    expect((await call(`${server.base}/health`)).body.status).toBe('ok');
    await waitFor(async () => (await heldPolls(server.base)) === 0);
    expect(server.app.adapter.open.size).toBe(0);
  }, 120_000);
});
