import { IncomingMessage, STATUS_CODES, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { JsonText } from '../protocol/packets.ts';

/*
 * node:http renders an answer's head anew for every response and hands it to
 * the socket beside the body: two chunks, which go out through `writev`. For
 * the chat's JSON answers flowchat renders the whole answer, head and body,
 * into one buffer and writes that; the answer to a room event, which every
 * poll waiting at that position receives, is rendered once and the same
 * bytes written to every socket. (bench/README.md, *Profile*: 0.8× the CPU
 * per delivery with 10,000 polls held, 0.86× in the throughput scenario.)
 *
 * It leans on node:http's own bookkeeping of a response, the fields of
 * ResponseState below, which `writeHead` and `end` keep: with `_header` and
 * `_headerSent` saying the head is out, `end()` finishes the response as
 * node:http does after any answer (its `finish`, the next request on the
 * connection, keep-alive's timer). Whatever writeHead would render otherwise
 * (an answer to HEAD, a connection that closes after it, a client waiting
 * for 100 Continue, headers set on the response beforehand, a response
 * queued behind another on its connection) takes writeHead's path, and so
 * does every answer if a version of Node lacks those fields.
 */

interface ResponseState {
  _header: string | null;
  _headerSent: boolean;
  _hasBody: boolean;
  _removedConnection: boolean;
  _expect_continue: boolean;
  _keepAliveTimeout: number;
  _defaultKeepAlive: boolean;
  _maxRequestsPerSocket: number | undefined;
  maxRequestsOnConnectionReached: boolean | undefined;
  shouldKeepAlive: boolean;
  sendDate: boolean;
  socket: (Socket & { _httpMessage?: unknown }) | null;
}

/** The symbol under which node:http keeps the headers set with setHeader, or undefined if this Node keeps a response otherwise. */
const OUT_HEADERS = outHeadersSymbol();

function outHeadersSymbol(): symbol | undefined {
  const request = new IncomingMessage(new Socket());
  request.httpVersionMajor = 1;
  request.httpVersionMinor = 1;
  const probe = new ServerResponse(request);
  const symbol = Object.getOwnPropertySymbols(probe).find((s) => s.description === 'kOutHeaders');
  const state = probe as unknown as ResponseState & Record<symbol, unknown>;
  const known =
    symbol !== undefined &&
    state[symbol] === null &&
    state._header === null &&
    state._headerSent === false &&
    state._hasBody === true &&
    state._removedConnection === false &&
    state._expect_continue === false &&
    typeof state._keepAliveTimeout === 'number' &&
    typeof state._defaultKeepAlive === 'boolean' &&
    state.shouldKeepAlive === true &&
    state.sendDate === true;
  return known ? symbol : undefined;
}

/** PROTOCOL.md's headers on every JSON answer. */
export const JSON_HEADERS: Readonly<Record<string, string>> = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

/** The same, as the lines of an answer rendered whole. */
export const JSON_HEAD = Object.entries(JSON_HEADERS)
  .map(([name, value]) => `${name}: ${value}\r\n`)
  .join('');

/** statusLine is an answer's first line. */
export function statusLine(status: number): string {
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'unknown'}\r\n`;
}

/** wholeAnswersWork says whether this Node keeps a response as writeWhole expects: if not, every answer takes writeHead's path. */
export const wholeAnswersWork = OUT_HEADERS !== undefined;

// What `_header` holds once an answer is written whole: node:http only asks whether there is one.
const WRITTEN_WHOLE = 'HTTP/1.1 (written whole)\r\n\r\n';

let dateSecond = -1;
let dateLine = '';

/** The Date header line, made once a second, as node:http makes its own. */
function date(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateLine = `Date: ${new Date(second * 1000).toUTCString()}\r\n`;
  }
  return dateLine;
}

let keepAliveFor = -1;
let keepAliveMax = -1;
let keepAliveLines = '';

/** The Connection and Keep-Alive lines for a server's settings, made once. */
function keepAlive(timeoutMs: number, max: number): string {
  if (timeoutMs !== keepAliveFor || max !== keepAliveMax) {
    keepAliveFor = timeoutMs;
    keepAliveMax = max;
    keepAliveLines = `Connection: keep-alive\r\nKeep-Alive: timeout=${Math.floor(timeoutMs / 1000)}${max > 0 ? `, max=${max}` : ''}\r\n`;
  }
  return keepAliveLines;
}

/** The Connection and Keep-Alive lines writeHead would render for this response; undefined where writeHead's path must be taken. */
function connectionLines(state: ResponseState): string | undefined {
  const socket = state.socket;
  if (
    OUT_HEADERS === undefined ||
    state._header !== null ||
    !state._hasBody ||
    !state.shouldKeepAlive ||
    state.maxRequestsOnConnectionReached === true ||
    state._removedConnection ||
    state._expect_continue ||
    !state.sendDate ||
    socket === null ||
    socket._httpMessage !== state ||
    !socket.writable ||
    (state as unknown as Record<symbol, unknown>)[OUT_HEADERS] !== null
  ) {
    return undefined;
  }
  if (!state._keepAliveTimeout || !state._defaultKeepAlive) return 'Connection: keep-alive\r\n';
  return keepAlive(state._keepAliveTimeout, ~~(state._maxRequestsPerSocket ?? 0));
}

/**
 * WholeAnswer is one JSON answer rendered whole. It is rendered again only
 * when the Date line's second or the connection lines change, so every poll
 * answered with the same body within a second is written the same bytes.
 */
export class WholeAnswer {
  private rendered: Buffer | undefined;
  private renderedDate = '';
  private renderedConnection = '';

  constructor(
    readonly statusCode: number,
    private readonly body: JsonText,
  ) {}

  bytes(connection: string): Buffer {
    const dateNow = date();
    // Compared by identity: both strings are made once and handed out until they change.
    if (this.rendered === undefined || this.renderedDate !== dateNow || this.renderedConnection !== connection) {
      const length = `content-length: ${Buffer.byteLength(this.body.text)}\r\n`;
      this.rendered = Buffer.from(statusLine(this.statusCode) + JSON_HEAD + length + dateNow + connection + '\r\n' + this.body.text);
      this.renderedDate = dateNow;
      this.renderedConnection = connection;
    }
    return this.rendered;
  }
}

/**
 * writeWhole answers with the JSON body in one write and finishes the
 * response; false, having written nothing, where writeHead's path must be
 * taken. The rendering is kept with the body, for every answer that
 * carries it.
 */
export function writeWhole(res: ServerResponse, statusCode: number, body: JsonText): boolean {
  const state = res as unknown as ResponseState;
  const connection = connectionLines(state);
  if (connection === undefined) return false;
  let whole = body.whole;
  if (whole === undefined || whole.statusCode !== statusCode) whole = body.whole = new WholeAnswer(statusCode, body);
  (state.socket as Socket).write(whole.bytes(connection));
  res.statusCode = statusCode;
  state._header = WRITTEN_WHOLE;
  state._headerSent = true;
  res.end();
  return true;
}
