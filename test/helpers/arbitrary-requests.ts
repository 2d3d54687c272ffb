import { protocolErrors, statusOf, type ErrorCode } from '../../src/protocol/errors.ts';
import { parseAnswers, rawConnection } from './raw-http.ts';

/**
 * Arbitrary requests, drawn from a seeded generator so that a failure is
 * the same on every run, and the check that every answer to them keeps
 * PROTOCOL.md's common rules: JSON with cache-control: no-store, errors as
 * {"error": {"code", "message"}} with the code's status, no 500. The
 * backend's suite and nginx's send them.
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

/** ArbitraryRequest is one request's bytes, with its method and path to name it by. */
export interface ArbitraryRequest {
  readonly text: string;
  readonly method: string;
  readonly path: string;
}

/**
 * arbitraryRequests draws `count` requests to the chat at `base` (a URL),
 * some carrying one of `tokens`; a few carry a body with no framing, whose
 * bytes then read as a request of their own. Each asks to be answered at
 * once and, when framed, to have its connection closed after.
 */
export function arbitraryRequests(seed: number, count: number, base: string, tokens: readonly string[]): ArbitraryRequest[] {
  const random = generator(seed);
  const pick = <T,>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const { host, pathname } = new URL(base);
  return Array.from({ length: count }, () => {
    const method = pick(METHODS);
    const query = Array.from({ length: Math.floor(random() * 4) }, () => `${pick(PARAMS)}${random() < 0.9 ? `=${pick(VALUES)}` : ''}`);
    // Answered at once, never held: this is about the answers' form, not about waiting.
    query.push('timeout=0');
    const path = `${pathname}${pick(PATHS)}?${query.join('&')}`;
    const headers = [`Host: ${host}`];
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
  });
}

/** commonRuleProblems lists how what a server wrote on a connection breaks the common rules, each named by the request. */
export function commonRuleProblems({ method, path }: ArbitraryRequest, text: string): string[] {
  const found: string[] = [];
  const answers = parseAnswers(text, (status, index) => status === 204 || (method === 'HEAD' && index === 0));
  if (answers.length === 0) found.push('no answer');
  answers.forEach((answer, index) => {
    if (answer.status >= 500 && answer.status !== 503) found.push(`status ${answer.status}: ${answer.body.slice(0, 120)}`);
    if (answer.status === 204) return;
    if (answer.headers.get('content-type') !== 'application/json; charset=utf-8') found.push(`content-type ${answer.headers.get('content-type')}`);
    if (answer.headers.get('cache-control')?.toLowerCase() !== 'no-store') found.push(`cache-control ${answer.headers.get('cache-control')}`);
    if (method === 'HEAD' && index === 0) return;
    let json: unknown;
    try {
      json = JSON.parse(answer.body);
    } catch {
      found.push(`a body that is not JSON: ${answer.body.slice(0, 120)}`);
      return;
    }
    if (answer.status >= 400) {
      const error = (json as { error?: { code?: unknown; message?: unknown } }).error;
      const code = error?.code;
      if (typeof code !== 'string' || !ERROR_CODES.has(code)) found.push(`an error without a known code: ${answer.body.slice(0, 120)}`);
      else if (statusOf(code as ErrorCode) !== answer.status) found.push(`${code} with status ${answer.status}`);
      if (typeof error?.message !== 'string' || error.message === '') found.push(`an error without a message: ${answer.body.slice(0, 120)}`);
    }
  });
  return found.map((problem) => `${method} ${path}: ${problem}`);
}

/** sendAll sends each request on a connection of its own, `atOnce` at a time, and lists every problem with the answers. */
export async function sendAll(origin: string, requests: readonly ArbitraryRequest[], atOnce = 8): Promise<string[]> {
  const found: string[] = [];
  for (let from = 0; from < requests.length; from += atOnce) {
    await Promise.all(requests.slice(from, from + atOnce).map(async (request) => {
      const connection = await rawConnection(origin, 10_000);
      connection.write(request.text);
      const ended = await connection.ended;
      if (!ended.closed) found.push(`${request.method} ${request.path}: the connection was still open after 10 s`);
      else found.push(...commonRuleProblems(request, ended.text));
    }));
  }
  return found;
}
