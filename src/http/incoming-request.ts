import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { JsonText, PlainText, type Headers, type HttpRequest, type QueryValue, type SessionRef } from '../protocol/packets.ts';
import type { Linked, LinkedList } from '../util/linked-list.ts';
import { clientAddressOf, type Trust } from './client-address.ts';
import { NO_FIELDS, parseForm } from './form.ts';
import type { OpenRequest, OpenRequests } from './open-requests.ts';
import { JSON_HEADERS, writeWhole } from './whole-answer.ts';
import { CLIENT_GONE, type Trace } from '../tracing/traces.ts';

const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze({});
const OPEN = Symbol('flowchat.open');

/**
 * A connection and the requests on it not yet answered: one, nearly always,
 * or several that a client pipelined. Its one `close` listener tells them
 * that the client is gone, so no response needs a listener of its own.
 */
type Connection = Socket & { [OPEN]?: IncomingRequest | IncomingRequest[] | undefined };

/**
 * IncomingRequest is the framework-free HttpRequest that travels the graph for one
 * request, read from node:http's request whether fastify routed it or not
 * (polls skip fastify: server.ts). It is a class, not a closure, because
 * thousands of them wait at once as held polls: what they share lives on
 * the prototype.
 */
class IncomingRequest implements OpenRequest {
  params = NO_PARAMS;
  route = 'none';
  trace: Trace | undefined = undefined;
  session: SessionRef | undefined = undefined;
  hops = 0;
  private state: 'open' | 'answered' | 'gone' = 'open';
  // Nearly every request has at most one: an array only for the rare second.
  private endings: (() => void) | (() => void)[] | undefined;
  // Its place among the open requests.
  prev: Linked | undefined = undefined;
  next: Linked | undefined = undefined;
  list: LinkedList<Linked> | undefined = undefined;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly open: OpenRequests,
    private readonly trust: Trust | false,
    /** What fastify parsed of the body; a poll has none. */
    readonly body: unknown,
  ) {
    joinConnection(req.socket, this);
    open.add(this);
  }

  // Read through, not copied: every field an IncomingRequest holds, a held poll holds for its whole wait.
  get method(): string {
    return this.req.method as string;
  }

  /** Cut from the URL each time it is asked for: the Router asks, and a held poll need not keep it. */
  get path(): string {
    const url = this.req.url as string;
    return url.slice(0, queryStart(url));
  }

  /**
   * Parsed from the URL each time it is asked for, which a component does
   * once: kept parsed, a held poll's fields and their strings would stay in
   * memory for its whole wait. (Hence fastify parses no query: see server.ts.)
   * The last query parsed is kept, once for all requests: polls come in
   * bursts that ask the same (each poll a message released asks again from
   * the same `since`), and they share its read-only fields.
   */
  get query(): Readonly<Record<string, QueryValue>> {
    const url = this.req.url as string;
    const at = queryStart(url);
    if (at === url.length) return NO_FIELDS;
    if (url.length - at - 1 !== lastQuery.text.length || !url.endsWith(lastQuery.text)) {
      const text = url.slice(at + 1);
      lastQuery = { text, fields: parseForm(text) };
    }
    return lastQuery.fields;
  }

  get headers(): Readonly<Record<string, string | string[] | undefined>> {
    return this.req.headers;
  }

  /** Worked out from X-Forwarded-For only when asked: most requests never need it. */
  get clientAddress(): string {
    return clientAddressOf(this.req, this.trust);
  }

  get ended(): boolean {
    return this.state !== 'open';
  }

  respond(status: number, body: unknown, headers?: Headers): void {
    if (this.state !== 'open') return;
    this.end('answered');
    this.open.answered(this.route, status);
    if (!this.res.destroyed) writeAnswer(this.res, status, body, headers);
    this.trace?.end(status);
  }

  onEnd(callback: () => void): void {
    if (this.state !== 'open') callback();
    else if (this.endings === undefined) this.endings = callback;
    else if (typeof this.endings === 'function') this.endings = [this.endings, callback];
    else this.endings.push(callback);
  }

  /** gone: the socket closed before an answer was written. */
  gone(): void {
    if (this.state !== 'open') return;
    this.end('gone');
    this.trace?.end(CLIENT_GONE);
  }

  private end(state: 'answered' | 'gone'): void {
    this.state = state;
    this.open.delete(this);
    leaveConnection(this.req.socket, this);
    const endings = this.endings;
    this.endings = undefined;
    if (typeof endings === 'function') endings();
    else if (endings !== undefined) for (const callback of endings) callback();
  }
}

/** The last query parsed, and its fields (IncomingRequest.query). */
let lastQuery: { readonly text: string; readonly fields: Readonly<Record<string, QueryValue>> } = { text: '', fields: NO_FIELDS };

/** queryStart is where a URL's query begins (its "?"), or the URL's length when it has none. */
function queryStart(url: string): number {
  const at = url.indexOf('?');
  return at === -1 ? url.length : at;
}

/**
 * watchConnection listens, once per connection, for the client going away
 * (the server calls it for each connection it accepts). A response's own
 * `close` would tell the same for the request it answers, but a listener
 * per response costs every request of a keep-alive connection, and a
 * pipelined request's response, queued behind another, never hears it.
 */
export function watchConnection(socket: Socket): void {
  (socket as Connection)[OPEN] = undefined;
  socket.on('close', onConnectionClose);
}

// One listener shared by every connection: EventEmitter calls it with the socket as `this`.
function onConnectionClose(this: Connection): void {
  const open = this[OPEN];
  this[OPEN] = undefined;
  if (Array.isArray(open)) for (const request of open) request.gone();
  else open?.gone();
}

/** joinConnection counts a request among its connection's open ones. */
function joinConnection(socket: Socket, request: IncomingRequest): void {
  const connection = socket as Connection;
  const others = connection[OPEN];
  connection[OPEN] = others === undefined ? request : Array.isArray(others) ? [...others, request] : [others, request];
}

/** leaveConnection takes an answered or gone request out of its connection's open ones (the listener has taken them all when it closed). */
function leaveConnection(socket: Socket, request: IncomingRequest): void {
  const connection = socket as Connection;
  const open = connection[OPEN];
  if (open === request) connection[OPEN] = undefined;
  else if (Array.isArray(open)) connection[OPEN] = open.length === 2 ? open.find((r) => r !== request) : open.filter((r) => r !== request);
}

/** A request on its way into the graph, whose trace the adapter sets. */
export type EnteringRequest = HttpRequest & { trace: Trace | undefined };

/**
 * incomingRequest wraps a request fastify routed into the HttpRequest that
 * travels the graph, and takes the reply over from fastify: answers are
 * written straight to the socket.
 */
export function incomingRequest(req: FastifyRequest, res: FastifyReply, body: unknown, open: OpenRequests, trust: Trust | false): EnteringRequest {
  res.hijack();
  return new IncomingRequest(req.raw, res.raw, open, trust, body);
}

/** pollRequest wraps a poll that node:http handed over without fastify (server.ts). */
export function pollRequest(req: IncomingMessage, res: ServerResponse, open: OpenRequests, trust: Trust | false): EnteringRequest {
  discardBody(req);
  return new IncomingRequest(req, res, open, trust, undefined);
}

/**
 * discardBody tells node:http that nothing will read this request's body, as
 * its own `_dump()` does when a response finishes with the body unread: the
 * parser then drops whatever body comes instead of buffering it. Said at
 * once, it spares the answered request what `_dump()` would start: resuming
 * the stream to drain it, ending and destroying it, four turns of the tick
 * queue for a poll that never had a body (bench/README.md, *Profile*). The
 * request then never emits `end` or `close`, which nothing listens for on a
 * poll: its client going away is heard on the socket (watchConnection).
 * node:http keeps it as its parser's request until the next request on the
 * connection, or its close, replaces it.
 */
function discardBody(req: IncomingMessage): void {
  (req as IncomingMessage & { _dumped: boolean })._dumped = true;
}

/**
 * writeAnswer answers with PROTOCOL.md's common headers. A JSON answer goes
 * out whole in one write where node:http allows (see whole-answer.ts), and a
 * JsonText's bytes are shared, not re-encoded. The adapter also answers with
 * it the polls it refuses before they are wrapped.
 */
export function writeAnswer(res: ServerResponse, status: number, body: unknown, headers?: Headers): void {
  if (body instanceof PlainText) {
    res.writeHead(status, { 'content-type': body.contentType, 'cache-control': 'no-store', ...headers });
    res.end(body.text);
    return;
  }
  if (status === 204) {
    res.writeHead(status, { ...JSON_HEADERS, ...headers });
    res.end();
    return;
  }
  const json = body instanceof JsonText ? body : new JsonText(JSON.stringify(body));
  if (headers === undefined && writeWhole(res, status, json)) return;
  const payload = json.bytes;
  res.writeHead(status, { ...JSON_HEADERS, 'content-length': payload.length, ...headers });
  res.end(payload);
}

/** sendJson answers through fastify, for the requests that never enter the graph. */
export function sendJson(res: FastifyReply, status: number, body: unknown, headers?: Headers): void {
  res.code(status).headers(JSON_HEADERS);
  if (headers !== undefined) res.headers(headers);
  res.send(JSON.stringify(body));
}
