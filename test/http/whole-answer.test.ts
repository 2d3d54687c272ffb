import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { JSON_HEAD, WholeAnswer, wholeAnswersWork, writeWhole } from '../../src/http/whole-answer.ts';
import { JsonText } from '../../src/protocol/packets.ts';
import { parseAnswers, rawConnection, type RawAnswer } from '../helpers/raw-http.ts';

const BODY = new JsonText('{"greeting":"héllo"}');

interface Served {
  readonly path: string;
  /** Whether the answer went out whole. */
  readonly whole: boolean;
  readonly events: string[];
}

/** A node:http server answering every path with BODY: whole where it can, through writeHead where writeWhole declines, as the adapter does. */
async function server(configure: (server: http.Server) => void = () => undefined) {
  const served: Served[] = [];
  const answer = (req: IncomingMessage, res: ServerResponse): void => {
    const events: string[] = [];
    res.on('finish', () => events.push('finish')).on('close', () => events.push('close'));
    if (req.url === '/preset') res.setHeader('x-preset', 'yes');
    const whole = req.url !== '/head' && writeWhole(res, 200, BODY);
    if (!whole) {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': BODY.bytes.length });
      res.end(BODY.bytes);
    }
    served.push({ path: req.url ?? '', whole, events });
  };
  const listening = http.createServer((req, res) => {
    if (req.url === '/later') setTimeout(() => answer(req, res), 100);
    else answer(req, res);
  });
  configure(listening);
  await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
  servers.push(listening);
  return { origin, served };
}

const servers: http.Server[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const s of servers.splice(0)) await new Promise((resolve) => s.close(resolve));
});

/** Sends the requests on one connection, in one write, and reads every answer until the server closes it (or half a second passes). */
async function exchange(origin: string, requests: string, bodiless = false): Promise<{ answers: RawAnswer[]; text: string; closed: boolean }> {
  const connection = await rawConnection(origin, 500);
  connection.write(requests);
  const { text, closed } = await connection.ended;
  const final = text.replace(/^HTTP\/1\.1 100 Continue\r\n\r\n/, '');
  return { answers: parseAnswers(final, () => bodiless), text, closed };
}

/** Sends the requests on one connection one after the other, each once the last is answered; then closes it. */
async function oneByOne(origin: string, requests: string[]): Promise<string> {
  const connection = await rawConnection(origin, 1500);
  for (const [index, request] of requests.entries()) {
    connection.write(request);
    await vi.waitFor(() => expect(connection.received().split('HTTP/1.1 ').length - 1).toBe(index + 1));
  }
  return connection.received();
}

const get = (path: string, headers = ''): string => `GET ${path} HTTP/1.1\r\nHost: x\r\n${headers}\r\n`;

describe('answers written whole (src/http/whole-answer.ts)', () => {
  it('works on this version of Node: otherwise every answer would quietly take the slower path', () => {
    expect(wholeAnswersWork).toBe(true);
  });

  it('writes byte for byte what writeHead and end write, and the connection serves the next request', async () => {
    const { origin, served } = await server();
    const text = await oneByOne(origin, [get('/whole'), get('/head'), get('/whole')]);
    expect(served.map((s) => [s.path, s.whole])).toEqual([['/whole', true], ['/head', false], ['/whole', true]]);
    const [whole, head, again] = text.split(/(?=HTTP\/1\.1 )/);
    const withoutDate = (answer = ''): string => answer.replace(/\r\nDate: [^\r]*/, '');
    expect(withoutDate(whole)).toBe(withoutDate(head));
    // (Without the Date line: the third answer may fall in the next second.)
    expect(withoutDate(again)).toBe(withoutDate(whole));
    expect(whole).toContain('\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n{"greeting":"héllo"}');
    const date = Date.parse(/\r\nDate: ([^\r]*)/.exec(whole ?? '')?.[1] ?? '');
    expect(Math.abs(Date.now() - date)).toBeLessThan(5_000);
    // node:http finished each response as after any other answer.
    await vi.waitFor(() => expect(served.every((s) => s.events.join() === 'finish,close')).toBe(true));
  });

  it('leaves to writeHead a connection that closes after the answer: asked by the client, HTTP/1.0, or at the server\'s request limit', async () => {
    const { origin, served } = await server();
    const closing = await exchange(origin, get('/whole', 'Connection: close\r\n') + get('/whole'));
    expect(closing.closed).toBe(true);
    expect(closing.answers).toHaveLength(1);
    expect(closing.answers[0]?.headers.get('connection')).toBe('close');
    const old = await exchange(origin, 'GET /whole HTTP/1.0\r\n\r\n');
    expect(old.closed).toBe(true);
    expect(old.answers[0]?.body).toBe(BODY.text);
    expect(served.map((s) => s.whole)).toEqual([false, false]);

    const limited = await server((s) => (s.maxRequestsPerSocket = 2));
    const { answers } = await exchange(limited.origin, get('/whole') + get('/whole'));
    expect(answers.map((a) => [a.headers.get('connection'), a.headers.get('keep-alive')])).toEqual([
      ['keep-alive', 'timeout=5, max=2'],
      ['close', undefined],
    ]);
    expect(limited.served.map((s) => s.whole)).toEqual([true, false]);
  });

  it('leaves to writeHead an answer to HEAD, to a client expecting 100 Continue, and a response with headers set beforehand', async () => {
    const { origin, served } = await server();
    const head = await exchange(origin, `HEAD /whole HTTP/1.1\r\nHost: x\r\n\r\n`, true);
    expect(head.answers).toHaveLength(1);
    expect(head.answers[0]?.body).toBe('');
    const expecting = await exchange(origin, 'POST /whole HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n');
    expect(expecting.text).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
    expect(expecting.text).toContain(BODY.text);
    const preset = await exchange(origin, get('/preset'));
    expect(preset.answers[0]?.headers.get('x-preset')).toBe('yes');
    expect(preset.answers[0]?.body).toBe(BODY.text);
    expect(served.map((s) => s.whole)).toEqual([false, false, false]);
  });

  it('leaves to writeHead a response queued behind another on its connection, and the answers keep their order', async () => {
    const { origin, served } = await server();
    const { answers } = await exchange(origin, get('/later') + get('/next'));
    expect(answers.map((a) => a.body)).toEqual([BODY.text, BODY.text]);
    // /next was answered while /later's response still held the connection; /later, answered last, went out whole.
    expect(served.map((s) => [s.path, s.whole])).toEqual([['/next', false], ['/later', true]]);
  });

  it('renders a body again only when the second or the connection lines change', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.UTC(2026, 11, 3, 12, 0, 0, 100));
    const answer = new WholeAnswer(201, new JsonText('{"a":1}'));
    const first = answer.bytes('Connection: keep-alive\r\n');
    vi.setSystemTime(Date.UTC(2026, 11, 3, 12, 0, 0, 900));
    expect(answer.bytes('Connection: keep-alive\r\n')).toBe(first);
    expect(first.toString()).toBe(
      'HTTP/1.1 201 Created\r\n' + JSON_HEAD + 'content-length: 7\r\nDate: Thu, 03 Dec 2026 12:00:00 GMT\r\nConnection: keep-alive\r\n\r\n{"a":1}',
    );
    vi.setSystemTime(Date.UTC(2026, 11, 3, 12, 0, 1, 0));
    const next = answer.bytes('Connection: keep-alive\r\n');
    expect(next.toString()).toContain('Date: Thu, 03 Dec 2026 12:00:01 GMT\r\n');
    expect(answer.bytes('Connection: keep-alive\r\nKeep-Alive: timeout=9\r\n').toString()).toContain('Keep-Alive: timeout=9\r\n\r\n{"a":1}');
  });
});
