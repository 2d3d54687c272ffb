/**
 * What nginx.conf and scripts/README.md promise of nginx, asserted through the real
 * nginx: the client's address reaches the backend, errors nginx makes are
 * JSON in the protocol's shape, the page carries its security headers, and
 * held polls are neither buffered nor cut short.
 */
import { once } from 'node:events';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { NGINX_BINARY, startNginx, type RunningNginx } from '../../scripts/nginx-process.ts';
import { PAGE_HEADERS } from '../../src/http/page-headers.ts';
import { arbitraryRequests, sendAll } from '../helpers/arbitrary-requests.ts';
import { openPostingGraph, writeGraph } from '../helpers/graph-file.ts';
import { parseAnswers, rawConnection } from '../helpers/raw-http.ts';
import { freePort } from '../helpers/ports.ts';
import { startServerProcess, type ServerProcess } from '../helpers/process.ts';
import { AT_ONCE_MS, call, heldPolls, openPoll, waitFor } from '../helpers/server.ts';
import { describeE2E } from './system.ts';

const B = '/gochat/chat';
const NGINX_CONF = fileURLToPath(new URL('../../nginx.conf', import.meta.url));

/** Reply is an answer read whole, as text. */
interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** request makes one request from `localAddress` (any of 127.0.0.0/8), as a client at that address would. */
function request(url: string, { method = 'GET', headers = {}, body, localAddress = '127.0.0.1' }: { method?: string; headers?: Record<string, string>; body?: string; localAddress?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, localAddress, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * rawRequest writes `text` on a new connection and gives the connection and
 * its whole answer as text (until the server closes it or ends a response):
 * thousands of these cost less than thousands of http.Agent requests.
 */
async function rawRequest(port: number, text: string): Promise<{ socket: net.Socket; answer: Promise<string> }> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(text);
  let received = '';
  const answer = new Promise<string>((resolve) => {
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      received += chunk;
      const length = /content-length: (\d+)/i.exec(received)?.[1];
      const bodyStart = received.indexOf('\r\n\r\n') + 4;
      if (length !== undefined && bodyStart >= 4 && Buffer.byteLength(received.slice(bodyStart)) >= Number(length)) resolve(received);
    });
    socket.on('close', () => resolve(received));
    socket.on('error', () => undefined);
  });
  return { socket, answer };
}

/** Cleanup runs what each test started, in reverse, after it. */
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function nginxTo(upstreamPort: number, confPath?: string): Promise<RunningNginx> {
  const nginx = await startNginx({ port: await freePort(), backends: [`127.0.0.1:${upstreamPort}`], ...(confPath === undefined ? {} : { confPath }) });
  cleanups.push(() => nginx.stop());
  return nginx;
}

async function backend(env: Record<string, string> = {}): Promise<ServerProcess> {
  const server = await startServerProcess({ env: { GRAPH: writeGraph(openPostingGraph()), ...env } });
  cleanups.push(() => server.stop());
  return server;
}

/** listen starts a stand-in upstream on a free port: a program that is not flowchat, to see what nginx itself does. */
async function listen(server: net.Server): Promise<number> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => sockets.add(socket));
  const port = await freePort();
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => {
    // Connections nginx keeps open (or that hang on purpose) would hold close() up.
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => server.close(resolve));
  });
  return port;
}

/** confWith writes nginx.conf with one directive's value changed, for what cannot be waited out in a test. */
async function confWith(directive: string, from: string, to: string): Promise<string> {
  const template = await readFile(NGINX_CONF, 'utf8');
  const line = `${directive} ${from};`;
  if (!template.includes(line)) throw new Error(`nginx.conf has no "${line}"`);
  const folder = await mkdtemp(path.join(tmpdir(), 'flowchat-nginx-conf-'));
  // nginx's workers (not root) read the copy.
  await chmod(folder, 0o755);
  cleanups.push(() => rm(folder, { recursive: true, force: true }));
  const file = path.join(folder, 'nginx.conf');
  await writeFile(file, template.replace(line, `${directive} ${to};`));
  return file;
}

function expectUnavailable(reply: Reply): void {
  expect(reply.status).toBe(503);
  expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(reply.headers['cache-control']).toBe('no-store');
  expect(reply.headers['retry-after']).toBe('2');
  expect(JSON.parse(reply.body)).toEqual({ error: { code: 'SHUTTING_DOWN', message: expect.stringContaining('try again') } });
}

describeE2E('nginx.conf', () => {
  describe('in front of the backend', () => {
    it('passes the path unchanged over HTTP/1.1, with the client address in X-Forwarded-For and X-Real-IP, forged ones replaced', async () => {
      const seen: { url?: string; version?: string; headers?: http.IncomingHttpHeaders }[] = [];
      const echo = http.createServer((req, res) => {
        seen.push({ url: req.url, version: req.httpVersion, headers: req.headers });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
      const nginx = await nginxTo(await listen(echo));
      const reply = await request(`${nginx.url}${B}/users/a%20b?q=x%2Fy&room=lobby`, {
        localAddress: '127.0.0.2',
        headers: { 'x-forwarded-for': '198.51.100.7', 'x-real-ip': '198.51.100.7' },
      });
      expect(reply.status).toBe(200);
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ url: `${B}/users/a%20b?q=x%2Fy&room=lobby`, version: '1.1' });
      expect(seen[0]?.headers).toMatchObject({ 'x-forwarded-for': '127.0.0.2', 'x-real-ip': '127.0.0.2', 'x-forwarded-proto': 'http', host: new URL(nginx.url).host });
    });

    it('lets the rate limit see each client, whatever X-Forwarded-For it sends', async () => {
      const server = await backend({ RATE_LIMIT: '1' });
      const nginx = await nginxTo(server.port);
      const postFrom = (localAddress: string, forged?: string) =>
        request(`${nginx.url}${B}`, {
          method: 'POST',
          localAddress,
          headers: { 'content-type': 'application/json', ...(forged === undefined ? {} : { 'x-forwarded-for': forged }) },
          body: JSON.stringify({ author: 'a', text: `from ${localAddress}` }),
        });
      expect((await postFrom('127.0.0.2')).status).toBe(201);
      expect((await postFrom('127.0.0.3')).status).toBe(201);
      const again = await postFrom('127.0.0.2', '203.0.113.50');
      expect(again.status).toBe(429);
      expect(JSON.parse(again.body)).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    });

    it('passes the backend\'s own 503 through unchanged', async () => {
      const server = await backend({ MAX_HELD_POLLS: '1' });
      const nginx = await nginxTo(server.port);
      const held = openPoll(`${nginx.url}${B}?timeout=60`);
      await waitFor(async () => (await heldPolls(server.base)) === 1);
      const refused = await request(`${nginx.url}${B}?timeout=60`);
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('2');
      expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'TOO_MANY_POLLS' } });
      held.disconnect();
    });

    it('hands a held poll to the client the moment a post releases it', async () => {
      const server = await backend();
      const nginx = await nginxTo(server.port);
      const poll = openPoll(`${nginx.url}${B}?room=through&timeout=60`);
      await waitFor(async () => (await heldPolls(server.base)) === 1);
      const posted = performance.now();
      expect((await call(`${nginx.url}${B}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ author: 'a', text: 'wake', room: 'through' }) })).status).toBe(201);
      const answer = await poll.answer;
      expect(performance.now() - posted).toBeLessThan(AT_ONCE_MS);
      expect(answer.body.messages.map((m) => m.text)).toEqual(['wake']);
    });

    it('passes answers through unbuffered: it reads from the backend only as fast as the client takes', async () => {
      // More than the socket buffers between them hold: a buffering nginx would
      // take it all into its temp files at once, for a client that reads nothing.
      const size = 64 * 1024 * 1024;
      let written = 0;
      let allWritten = false;
      const upstream = http.createServer(async (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(size) });
        const chunk = Buffer.alloc(64 * 1024);
        while (written < size) {
          written += chunk.length;
          if (!res.write(chunk)) await once(res, 'drain');
        }
        res.end(() => (allWritten = true));
      });
      const nginx = await nginxTo(await listen(upstream));
      const client = http.get(`${nginx.url}${B}`, { agent: false }, (res) => res.pause());
      client.on('error', () => undefined);
      cleanups.push(async () => void client.destroy());
      await waitFor(() => written > 0);
      // Buffering, nginx takes the 64 MiB in well under this; unbuffered, never.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(allWritten).toBe(false);
      expect(written).toBeLessThan(size);
    });

    it('answers arbitrary requests in the protocol\'s shape, whether nginx or the backend answers them', async () => {
      const server = await backend({ RATE_LIMIT: '0', SESSION_RATE_LIMIT: '0' });
      const nginx = await nginxTo(server.port);
      const tokens = await Promise.all(['ann', 'ben'].map(async (nick) => (JSON.parse((await request(`${nginx.url}${B}/session`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ nick }),
      })).body) as { token: string }).token));
      expect(await sendAll(nginx.url, arbitraryRequests(20261204, 600, `${nginx.url}${B}`, tokens))).toEqual([]);
    }, 120_000);

    it('waits longer than the longest poll (60 s) for an answer', async () => {
      const server = await backend();
      const nginx = await nginxTo(server.port);
      const answer = await call(`${nginx.url}${B}?room=patient&timeout=60`);
      expect(answer.status).toBe(200);
      expect(answer.body.messages).toEqual([]);
      expect(answer.ms).toBeGreaterThanOrEqual(59_000);
    }, 90_000);
  });

  describe('when the backend cannot answer', () => {
    it('answers 503 SHUTTING_DOWN in JSON when nothing listens (nginx\'s 502)', async () => {
      const nginx = await nginxTo(await freePort());
      expectUnavailable(await request(`${nginx.url}${B}?timeout=0`));
      expectUnavailable(await request(`${nginx.url}${B}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }));
    });

    it('answers 503 SHUTTING_DOWN in JSON when the backend hangs (nginx\'s 504)', async () => {
      const hung = net.createServer(() => undefined);
      const conf = await confWith('proxy_read_timeout', '75s', '1s');
      const nginx = await nginxTo(await listen(hung), conf);
      expectUnavailable(await request(`${nginx.url}${B}/health`));
    });
  });

  describe('under load', () => {
    it('holds 4,000 polls from one address (loopback is not limited), all released by one post', async () => {
      const server = await backend();
      const nginx = await nginxTo(server.port);
      const { port } = new URL(nginx.url);
      const polls = await Promise.all(Array.from({ length: 4_000 }, () => rawRequest(Number(port), `GET ${B}?room=crowd&timeout=60 HTTP/1.1\r\nHost: x\r\n\r\n`)));
      cleanups.push(async () => polls.forEach((poll) => poll.socket.destroy()));
      await waitFor(async () => (await heldPolls(server.base)) === 4_000, 60_000);
      const posted = await request(`${nginx.url}${B}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ author: 'a', text: 'to all', room: 'crowd' }) });
      expect(posted.status).toBe(201);
      const answers = await Promise.all(polls.map((poll) => poll.answer));
      expect(answers.filter((answer) => answer.startsWith('HTTP/1.1 200') && answer.includes('"text":"to all"'))).toHaveLength(4_000);
    }, 120_000);

    it('keeps its connections to the backend open across a release of every held poll: the re-polls reuse them', async () => {
      // A stand-in backend that holds every GET until told, and counts the connections nginx opens to it.
      let opened = 0;
      const held: http.ServerResponse[] = [];
      const upstream = http.createServer({ keepAliveTimeout: 75_000 }, (_req, res) => void held.push(res));
      upstream.on('connection', () => opened++);
      const nginx = await nginxTo(await listen(upstream));
      const { port } = new URL(nginx.url);
      const clients = 500;
      const poll = `GET ${B}?room=crowd&timeout=60 HTTP/1.1\r\nHost: x\r\n\r\n`;
      const sockets = await Promise.all(Array.from({ length: clients }, () => rawRequest(Number(port), poll)));
      cleanups.push(async () => sockets.forEach(({ socket }) => socket.destroy()));
      await waitFor(() => held.length === clients, 30_000);
      const openedForFirst = opened;
      // One message releases them all; each client polls again on its connection at once, as a page does.
      for (const { socket, answer } of sockets) void answer.then(() => socket.write(poll));
      const body = '{"messages":[]}';
      for (const res of held.splice(0)) res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }).end(body);
      await waitFor(() => held.length === clients, 30_000);
      expect(openedForFirst).toBe(clients);
      // With only a few idle connections kept (nginx's keepalive 32, as this file once had), all but those were closed and opened anew.
      expect(opened - openedForFirst).toBeLessThan(clients / 20);
      for (const res of held.splice(0)) res.destroy();
    }, 90_000);

    it('answers a request within 2 s while 1,500 half-open connections hang', async () => {
      const server = await backend();
      const nginx = await nginxTo(server.port);
      const { port } = new URL(nginx.url);
      // Half of them stopped in the middle of their headers, half asked for a poll and went silent: each of
      // those holds a connection to the backend too, until its timeout.
      const hanging = await Promise.all(
        Array.from({ length: 1_500 }, (_, i) =>
          rawRequest(Number(port), i % 2 === 0 ? `GET ${B}/health HTTP/1.1\r\nHost: x\r\n` : `GET ${B}?room=silent&timeout=60 HTTP/1.1\r\nHost: x\r\n\r\n`),
        ),
      );
      cleanups.push(async () => hanging.forEach((half) => half.socket.destroy()));
      await waitFor(async () => (await heldPolls(server.base)) === 750, 30_000);
      const started = performance.now();
      const answer = await request(`${nginx.url}${B}/health`);
      expect(answer.status).toBe(200);
      expect(performance.now() - started).toBeLessThan(2_000);
    }, 60_000);

    it('answers a body over the backend\'s 16 KiB itself: 413 BODY_TOO_LARGE in JSON', async () => {
      const nginx = await nginxTo(await freePort());
      // Under a path with an extension too: nginx would type its own answer by it.
      for (const path of [B, `${B}/notes.html`]) {
        const reply = await request(`${nginx.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'x'.repeat(17_000) }) });
        expect(reply.status).toBe(413);
        expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
        expect(reply.headers['cache-control']).toBe('no-store');
        expect(JSON.parse(reply.body)).toMatchObject({ error: { code: 'BODY_TOO_LARGE' } });
      }
    });

    it.each<[string, number, string, string]>([
      ['a request line that is not HTTP', 400, 'BAD_HTTP', 'HELLO\r\n\r\n'],
      ['a body framed both by Content-Length and chunked', 400, 'BAD_HTTP', `POST ${B} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n`],
      ['a header past its buffers', 431, 'HEADERS_TOO_LARGE', `GET ${B}/health HTTP/1.1\r\nHost: x\r\nX-Padding: ${'a'.repeat(20_000)}\r\n\r\n`],
    ])('answers %s itself in JSON, as the backend would: %i %s', async (_name, status, code, text) => {
      const nginx = await nginxTo(await freePort());
      const connection = await rawConnection(nginx.url);
      connection.write(text);
      const [answer] = parseAnswers((await connection.ended).text);
      expect(answer?.status).toBe(status);
      expect(answer?.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(answer?.headers.get('cache-control')).toBe('no-store');
      expect(JSON.parse(answer?.body ?? '')).toMatchObject({ error: { code } });
    });

    it('refuses connections past the per-address limit with 429 RATE_LIMITED in JSON, for an address that is not loopback', async () => {
      const server = await backend();
      // Here 127.0.0.2 stands for a client elsewhere: only 127.0.0.1 keeps its exemption.
      const conf = await confWith('127.0.0.0/8', '0', '1;\n        127.0.0.1/32 0');
      const nginx = await nginxTo(server.port, conf);
      const polls = Array.from({ length: 200 }, () => openPoll(`${nginx.url}${B}?room=limited&timeout=60`, {}, '127.0.0.2'));
      cleanups.push(async () => polls.forEach((poll) => poll.disconnect()));
      await waitFor(async () => (await heldPolls(server.base)) === 200, 30_000);
      const refused = await request(`${nginx.url}${B}?room=limited&timeout=60`, { localAddress: '127.0.0.2' });
      expect(refused.status).toBe(429);
      expect(refused.headers['retry-after']).toBe('1');
      expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'RATE_LIMITED' } });
      expect((await request(`${nginx.url}${B}/health`)).status).toBe(200);
    }, 60_000);

    it('lets loopback and the addresses an operator lists see the graph, its traces, the metrics and the graph page; anyone else gets 404', async () => {
      const server = await backend();
      // 127.0.0.2 stands for an operator's address added to the list, 127.0.0.3 for anyone else.
      const conf = await confWith('127.0.0.0/8', '1', '0;\n        127.0.0.1/32 1;\n        127.0.0.2/32 1');
      const nginx = await nginxTo(server.port, conf);
      const inside = [`${B}/graph`, `${B}/graph/traces`, `${B}/metrics`, '/gochat/graph.html', '/gochat/graph/main.js'];
      for (const address of ['127.0.0.1', '127.0.0.2']) {
        for (const path of inside) expect((await request(`${nginx.url}${path}`, { localAddress: address })).status, `${path} from ${address}`).toBe(200);
      }
      for (const path of inside) {
        const refused = await request(`${nginx.url}${path}`, { localAddress: '127.0.0.3' });
        expect(refused.status, path).toBe(404);
        if (path.startsWith(B)) expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'NOT_FOUND' } });
      }
      // The chat itself stays open to everyone.
      expect((await request(`${nginx.url}${B}/health`, { localAddress: '127.0.0.3' })).status).toBe(200);
      expect((await request(`${nginx.url}/gochat/`, { localAddress: '127.0.0.3' })).status).toBe(200);
    });

    it('runs its workers as another user than root when started as root', async ({ skip }) => {
      skip(process.getuid?.() !== 0, 'not started as root here');
      const nginx = await nginxTo(await freePort());
      const { execFileSync } = await import('node:child_process');
      const users = execFileSync('ps', ['-o', 'user=', '--ppid', String(nginx.pid)], { encoding: 'utf8' }).trim().split('\n');
      expect(users.length).toBeGreaterThan(0);
      expect(users.filter((user) => user.trim() === 'root')).toEqual([]);
    });
  });

  describe('serving the page', () => {
    it.each(['/gochat/', '/gochat/app.js', '/gochat/style.css'])('sends %s with its security headers, revalidated on each load', async (file) => {
      const nginx = await nginxTo(await freePort());
      const reply = await request(`${nginx.url}${file}`);
      expect(reply.status).toBe(200);
      // The backend serves the page with the same headers (src/http/page-headers.ts).
      for (const [name, value] of Object.entries(PAGE_HEADERS)) expect(reply.headers[name], name).toBe(value);
      expect(reply.headers.server).toBe('nginx');
    });

    it('redirects / and /gochat to the page, relative to any host', async () => {
      const nginx = await nginxTo(await freePort());
      expect(await request(`${nginx.url}/`)).toMatchObject({ status: 302, headers: { location: '/gochat/' } });
      expect(await request(`${nginx.url}/gochat`)).toMatchObject({ status: 301, headers: { location: '/gochat/' } });
    });

    it.each([`${B}/..%2f`, `${B}/..%2findex.html`, '/gochat/nothing.js'])('answers %s, which nginx would take to the page or finds nothing at, 404 NOT_FOUND in JSON as the backend does', async (path) => {
      const nginx = await nginxTo(await freePort());
      for (const method of ['GET', 'POST']) {
        const reply = await request(`${nginx.url}${path}`, { method });
        expect(reply.status, method).toBe(404);
        expect(reply.headers['content-type'], method).toBe('application/json; charset=utf-8');
        expect(JSON.parse(reply.body), method).toMatchObject({ error: { code: 'NOT_FOUND' } });
      }
    });

    it('keeps /gochat/chatter out of the chat API', async () => {
      const seen: string[] = [];
      const echo = http.createServer((req, res) => {
        seen.push(req.url ?? '');
        res.end('{}');
      });
      const nginx = await nginxTo(await listen(echo));
      expect((await request(`${nginx.url}/gochat/chatter`)).status).toBe(404);
      expect((await request(`${nginx.url}/gochat/chat`)).status).toBe(200);
      expect(seen).toEqual(['/gochat/chat']);
    });
  });
}, [NGINX_BINARY]);
