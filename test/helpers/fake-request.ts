import type { Headers, HttpRequest, QueryValue } from '../../src/protocol/packets.ts';
import type { AnyBody } from './bodies.ts';
import { JsonText } from '../../src/protocol/packets.ts';

/** Answer is what a FakeRequest was answered with, its body parsed back from JSON. */
export interface Answer {
  readonly status: number;
  readonly body: AnyBody;
  readonly headers: Headers;
}

export interface FakeRequest extends HttpRequest {
  /** Every respond() call, in order: a correct component calls it once. */
  readonly answers: Answer[];
  /** Makes the client go away, as a closed socket would. */
  disconnect(): void;
}

interface Options {
  method?: string;
  path?: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  clientAddress?: string;
  headers?: Record<string, string>;
}

/** fakeRequest makes an HttpRequest packet without any server, for testing components alone. */
export function fakeRequest(options: Options = {}): FakeRequest {
  const aborter = new AbortController();
  const answers: Answer[] = [];
  return {
    method: options.method ?? 'GET',
    path: options.path ?? '/gochat/chat',
    query: options.query ?? {},
    headers: options.headers ?? {},
    body: options.body,
    clientAddress: options.clientAddress ?? '127.0.0.1',
    signal: aborter.signal,
    answers,
    respond(status, body, headers = {}) {
      const parsed = body instanceof JsonText ? (JSON.parse(body.text) as AnyBody) : JSON.parse(JSON.stringify(body ?? null)) as AnyBody;
      answers.push({ status, body: parsed, headers });
    },
    disconnect() {
      aborter.abort();
    },
  };
}
