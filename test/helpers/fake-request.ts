import type { HttpRequest, QueryValue, SessionRef } from '../../src/protocol/packets.ts';
import type { Answer, AnyBody } from './bodies.ts';
import { JsonText } from '../../src/protocol/packets.ts';

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
  params?: Record<string, string>;
  session?: SessionRef;
}

/** fakeRequest makes an HttpRequest packet without any server, for testing components alone. */
export function fakeRequest(options: Options = {}): FakeRequest {
  const answers: Answer[] = [];
  const endings: (() => void)[] = [];
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    for (const callback of endings) callback();
  };
  return {
    method: options.method ?? 'GET',
    path: options.path ?? '/gochat/chat',
    query: options.query ?? {},
    headers: options.headers ?? {},
    body: options.body,
    clientAddress: options.clientAddress ?? '127.0.0.1',
    get ended() {
      return ended;
    },
    params: options.params ?? {},
    route: 'none',
    hops: 0,
    session: options.session,
    answers,
    onEnd(callback) {
      if (ended) callback();
      else endings.push(callback);
    },
    respond(status, body, headers = {}) {
      end();
      const parsed = body instanceof JsonText ? (JSON.parse(body.text) as AnyBody) : JSON.parse(JSON.stringify(body ?? null)) as AnyBody;
      answers.push({ status, body: parsed, headers: new Headers(headers) });
    },
    disconnect() {
      end();
    },
  };
}
