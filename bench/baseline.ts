import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BaselineRoom, type HeldPoll, type Stored } from './baseline-room.ts';

/**
 * The baseline: the poll/post subset of PROTOCOL.md on plain node:http, with
 * no framework and no graph. It is what flowchat's figures are divided by, so
 * it does the same work a correct server must (checks, one serialisation per
 * message, held polls released on disconnect) and nothing more. Sessions are
 * there only as far as posting needs them: POST B/session gives a token, and
 * a post carrying it is the session's nick's.
 *
 * Environment: PORT, HOST, BASE_PATH, MAX_HELD_POLLS as flowchat reads them.
 */

const PORT = Number(process.env.PORT ?? 9090);
const HOST = process.env.HOST ?? '127.0.0.1';
const BASE = process.env.BASE_PATH ?? '/gochat/chat';
const MAX_HELD_POLLS = Number(process.env.MAX_HELD_POLLS ?? 10_000);
const CAPACITY = 1000; // messages retained per room, as graph.json sets flowchat's
const MAX_ROOMS = 10_000;
const BODY_LIMIT = 16_384; // bytes
const MAX_TEXT = 4000; // code points
const MAX_AUTHOR = 64;

const epoch = randomBytes(16).toString('base64url');
const startedAt = Date.now();
const rooms = new Map<string, BaselineRoom>();
/** token → nick: sessions as far as posting needs them (no expiry, no presence). */
const sessions = new Map<string, string>();
const nicks = new Set<string>();
let heldPolls = 0;
let stopping = false;

const ROOM = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const TOKEN = /^[A-Za-z0-9_-]{1,64}$/;
const DIGITS = /^[0-9]{1,16}$/;
const DECIMAL = /^[0-9]{1,16}(\.[0-9]{1,9})?$/;
const NICK = /^[A-Za-z0-9_.-]{1,32}$/;
const BEARER = /^Bearer +([A-Za-z0-9_-]{1,128})$/;
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;

class Refusal extends Error {
  constructor(readonly status: number, readonly code: string, readonly headers: Record<string, string> = {}) {
    super(`${code}: see PROTOCOL.md`);
  }
}

function send(res: ServerResponse, status: number, body: string | Buffer, headers: Record<string, string> = {}): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

function refuse(res: ServerResponse, refusal: Refusal): void {
  send(res, refusal.status, JSON.stringify({ error: { code: refusal.code, message: refusal.message } }), refusal.headers);
}

function pollBody(room: string, messages: readonly Stored[], next: number, more: boolean, reset: boolean, truncated: boolean): string {
  return `{"epoch":"${epoch}","room":"${room}","messages":[${messages.map((m) => m.json).join(',')}],"next":${next},"more":${more},"reset":${reset},"truncated":${truncated}}`;
}

/** param reads a query parameter that may appear at most once and is never empty. */
function param(query: URLSearchParams, name: string, code: string, pattern: RegExp): string | undefined {
  const values = query.getAll(name);
  if (values.length === 0) return undefined;
  if (values.length > 1 || !pattern.test(values[0] as string)) throw new Refusal(400, code);
  return values[0];
}

function number(text: string | undefined, code: string, min: number, max: number, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (n < min || n > max) throw new Refusal(400, code);
  return n;
}

function poll(res: ServerResponse, queryText: string): void {
  const query = new URLSearchParams(queryText);
  let since = number(param(query, 'since', 'BAD_SINCE', DIGITS), 'BAD_SINCE', 0, Number.MAX_SAFE_INTEGER, 0);
  const name = param(query, 'room', 'BAD_ROOM', ROOM) ?? 'lobby';
  const clientEpoch = param(query, 'epoch', 'BAD_EPOCH', TOKEN);
  const timeoutMs = Math.round(number(param(query, 'timeout', 'BAD_TIMEOUT', DECIMAL), 'BAD_TIMEOUT', 0, 60, 25) * 1000);
  const limit = number(param(query, 'limit', 'BAD_LIMIT', DIGITS), 'BAD_LIMIT', 1, 1000, 100);

  const room = rooms.get(name);
  const lastId = room?.lastId ?? 0;
  const reset = (clientEpoch !== undefined && clientEpoch !== epoch) || since > lastId;
  if (reset) since = 0;
  const messages = room?.after(since, limit) ?? [];
  if (messages.length > 0 || reset || timeoutMs === 0) {
    const last = messages.at(-1)?.id;
    const truncated = messages.length > 0 && (messages[0] as Stored).id > since + 1;
    send(res, 200, pollBody(name, messages, last ?? since, last !== undefined && last < lastId, reset, truncated));
    return;
  }
  if (heldPolls >= MAX_HELD_POLLS) throw new Refusal(503, 'TOO_MANY_POLLS', { 'retry-after': '2' });
  hold(res, roomNamed(name), name, since, timeoutMs);
}

function roomNamed(name: string): BaselineRoom {
  let room = rooms.get(name);
  if (room === undefined) {
    if (rooms.size >= MAX_ROOMS) throw new Refusal(503, 'ROOM_LIMIT');
    room = new BaselineRoom(CAPACITY);
    rooms.set(name, room);
  }
  return room;
}

function hold(res: ServerResponse, room: BaselineRoom, name: string, since: number, timeoutMs: number): void {
  const held: HeldPoll = {
    res,
    since,
    timer: setTimeout(() => {
      if (room.held.delete(held)) heldPolls--;
      send(res, 200, pollBody(name, [], since, false, false, false));
    }, timeoutMs),
  };
  room.held.add(held);
  heldPolls++;
  // A client that goes away takes its held poll with it.
  res.once('close', () => {
    if (!room.held.delete(held)) return;
    clearTimeout(held.timer);
    heldPolls--;
  });
}

function text(value: unknown, code: string, max: number, multiline: boolean): string {
  if (typeof value !== 'string') throw new Refusal(400, code);
  const normal = value.normalize('NFC');
  const length = [...normal.trim()].length;
  if (length < 1 || length > max || (multiline ? CONTROL_IN_TEXT : CONTROL).test(normal)) throw new Refusal(400, code);
  return normal;
}

/** readJson reads a JSON body (up to BODY_LIMIT) and hands it to `use`, answering a refusal if it throws one. */
function readJson(req: IncomingMessage, res: ServerResponse, use: (fields: Record<string, unknown>) => void): void {
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) throw new Refusal(415, 'UNSUPPORTED_MEDIA_TYPE');
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= BODY_LIMIT) chunks.push(chunk);
  });
  req.on('end', () => {
    try {
      if (size > BODY_LIMIT) throw new Refusal(413, 'BODY_TOO_LARGE');
      use(parseObject(Buffer.concat(chunks).toString()));
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      refuse(res, error);
    }
  });
}

function parseObject(bodyText: string): Record<string, unknown> {
  let fields: unknown;
  try {
    fields = JSON.parse(bodyText);
  } catch {
    throw new Refusal(400, 'BAD_JSON');
  }
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) throw new Refusal(400, 'BAD_JSON');
  return fields as Record<string, unknown>;
}

function openSession(res: ServerResponse, fields: Record<string, unknown>): void {
  const nick = fields.nick;
  if (typeof nick !== 'string' || !NICK.test(nick)) throw new Refusal(400, 'BAD_NICK');
  if (nicks.has(nick)) throw new Refusal(409, 'NICK_TAKEN');
  const token = randomBytes(16).toString('base64url');
  sessions.set(token, nick);
  nicks.add(nick);
  send(res, 201, JSON.stringify({ token, nick }));
}

/** sessionNick is the nick of the live session whose token the request carries. */
function sessionNick(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  const token = header === undefined ? undefined : BEARER.exec(header)?.[1];
  return token === undefined ? undefined : sessions.get(token);
}

function store(res: ServerResponse, fields: Record<string, unknown>, nick: string | undefined): void {
  const checkedText = text(fields.text, 'BAD_TEXT', MAX_TEXT, true);
  const author = nick !== undefined && fields.author === undefined ? nick : text(fields.author, 'BAD_AUTHOR', MAX_AUTHOR, false);
  if (nick !== undefined && author !== nick) throw new Refusal(403, 'AUTHOR_MISMATCH');
  const name = fields.room === undefined ? 'lobby' : fields.room;
  if (typeof name !== 'string' || !ROOM.test(name)) throw new Refusal(400, 'BAD_ROOM');
  const nonce = fields.nonce;
  if (nonce !== undefined && (typeof nonce !== 'string' || !TOKEN.test(nonce))) throw new Refusal(400, 'BAD_NONCE');

  const room = roomNamed(name);
  const key = nonce === undefined ? undefined : `${author}\u0000${nonce}`;
  const earlier = key === undefined ? undefined : room.nonces.get(key);
  if (earlier !== undefined) return send(res, 200, `{"message":${earlier.json}}`);
  const message = { id: room.lastId + 1, room: name, type: 'message', author, text: checkedText, time: Date.now(), ...(nonce === undefined ? {} : { nonce }) };
  const stored: Stored = { id: message.id, json: JSON.stringify(message), ...(key === undefined ? {} : { nonceKey: key }) };
  const dropped = room.append(stored);
  if (dropped?.nonceKey !== undefined) room.nonces.delete(dropped.nonceKey);
  if (key !== undefined) room.nonces.set(key, stored);

  // One answer, encoded once, for every poll held in the room.
  const answer = Buffer.from(pollBody(name, [stored], stored.id, false, false, false));
  for (const held of room.held) {
    clearTimeout(held.timer);
    send(held.res, 200, answer);
  }
  heldPolls -= room.held.size;
  room.held.clear();
  send(res, 201, `{"message":${stored.json}}`);
}

function health(res: ServerResponse): void {
  send(res, 200, JSON.stringify({ status: 'ok', epoch, uptimeMs: Date.now() - startedAt, heldPolls, rooms: rooms.size }));
}

const server = http.createServer((req, res) => {
  try {
    if (stopping) throw new Refusal(503, 'SHUTTING_DOWN', { 'retry-after': '5' });
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    if (path === BASE || path === `${BASE}/`) {
      if (req.method === 'GET') return poll(res, queryAt === -1 ? '' : url.slice(queryAt + 1));
      if (req.method === 'POST') return readJson(req, res, (fields) => store(res, fields, sessionNick(req)));
      throw new Refusal(405, 'METHOD_NOT_ALLOWED', { allow: 'GET, POST' });
    }
    if (path === `${BASE}/session` || path === `${BASE}/session/`) {
      if (req.method === 'POST') return readJson(req, res, (fields) => openSession(res, fields));
      throw new Refusal(405, 'METHOD_NOT_ALLOWED', { allow: 'POST' });
    }
    if (path === `${BASE}/health` || path === `${BASE}/health/`) {
      if (req.method === 'GET') return health(res);
      throw new Refusal(405, 'METHOD_NOT_ALLOWED', { allow: 'GET' });
    }
    throw new Refusal(404, 'NOT_FOUND');
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    refuse(res, error);
  }
});
// Held polls last up to 60 s; keep-alive must outlast the gap between two, as flowchat's does.
server.keepAliveTimeout = 75_000;

function shutDown(): void {
  if (stopping) return;
  stopping = true;
  for (const [name, room] of rooms) {
    for (const held of room.held) {
      clearTimeout(held.timer);
      send(held.res, 200, pollBody(name, [], held.since, false, false, false));
    }
    room.held.clear();
  }
  heldPolls = 0;
  setTimeout(() => process.exit(0), 2_000).unref();
  server.close(() => process.exit(0));
  server.closeIdleConnections();
}
process.once('SIGTERM', shutDown);
process.once('SIGINT', shutDown);

server.listen(PORT, HOST, () => {
  const { address, port } = server.address() as AddressInfo;
  const origin = `http://${address}:${port}`;
  console.log(`baseline is running at ${origin}${BASE.slice(0, BASE.lastIndexOf('/') + 1)} (chat API: ${origin}${BASE})`);
});
