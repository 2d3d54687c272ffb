import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';

/**
 * The socket.io peer: the chat socket.io's own tutorial builds, on its
 * long-polling transport alone (Engine.IO v4), as a team choosing
 * socket.io for long-polling would run it. A client names its room in the
 * handshake's query and is joined to it on connection; a `post` event
 * `{room, author, text}` is checked as the baseline checks a post, given
 * the room's next id, and emitted to the room as a `message`. There is no
 * history: socket.io keeps none, and that is part of what it is.
 *
 * `GET /health` → `{"heldPolls": n}` counts the polling requests held open,
 * for the load generator's "every poll is parked" check.
 *
 * Environment: PORT, HOST as flowchat reads them.
 */

const PORT = Number(process.env.PORT ?? 9090);
const HOST = process.env.HOST ?? '127.0.0.1';
const BODY_LIMIT = 16_384; // bytes, as the baseline's
const MAX_TEXT = 4000; // code points
const MAX_AUTHOR = 64;
const ROOM = /^[a-z0-9][a-z0-9_-]{0,63}$/;
// No heartbeat within a run: the load generator's clients do not answer pings, as they would not be asked in an hour.
const AN_HOUR_MS = 3_600_000;

interface Post {
  readonly room: string;
  readonly author: string;
  readonly text: string;
}

function isPost(value: unknown): value is Post {
  if (typeof value !== 'object' || value === null) return false;
  const { room, author, text } = value as Record<string, unknown>;
  return typeof room === 'string' && ROOM.test(room) && typeof author === 'string' && author.length > 0 && author.length <= MAX_AUTHOR && typeof text === 'string' && text.length > 0 && [...text].length <= MAX_TEXT;
}

const server = http.createServer((req, res) => {
  if (req.url !== '/health') {
    res.writeHead(404, { 'content-length': 0 }).end();
    return;
  }
  let heldPolls = 0;
  for (const socket of io.of('/').sockets.values()) {
    // A polling transport is writable exactly while it holds a GET.
    if (socket.conn.transport.name === 'polling' && socket.conn.transport.writable) heldPolls++;
  }
  const body = JSON.stringify({ heldPolls });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
});

const io = new Server(server, {
  transports: ['polling'],
  allowUpgrades: false,
  serveClient: false,
  httpCompression: false,
  maxHttpBufferSize: BODY_LIMIT,
  pingInterval: AN_HOUR_MS,
  pingTimeout: AN_HOUR_MS,
});

const lastIds = new Map<string, number>();

io.on('connection', (socket) => {
  const { room } = socket.handshake.query;
  if (typeof room === 'string' && ROOM.test(room)) void socket.join(room);
  socket.on('post', (post: unknown) => {
    if (!isPost(post)) return;
    const id = (lastIds.get(post.room) ?? 0) + 1;
    lastIds.set(post.room, id);
    io.to(post.room).emit('message', { id, room: post.room, type: 'message', author: post.author, text: post.text, time: Date.now() });
  });
});

server.listen(PORT, HOST, () => {
  const { port } = server.address() as AddressInfo;
  console.log(`socket.io peer is running at http://${HOST}:${port}/`);
});

process.once('SIGTERM', () => {
  void io.close(() => process.exit(0));
});
