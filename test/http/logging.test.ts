import { once } from 'node:events';
import http, { type ServerResponse } from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app/app.ts';
import { capturingLogger, type LogLine } from '../helpers/log-lines.ts';
import { AT_ONCE_MS, call, heldPolls, startServer, waitFor, type TestServer } from '../helpers/server.ts';

const running: TestServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

/** Listeners on a response, by event: fastify's request logging hangs one on `finish` and one on `error`. */
interface ListenerCounts {
  readonly finish: number;
  readonly error: number;
  readonly close: number;
  /** On the response's connection. */
  readonly socketClose: number;
}

function listenerCounts(res: ServerResponse): ListenerCounts {
  const socketClose = res.socket?.listenerCount('close') ?? -1;
  return { finish: res.listenerCount('finish'), error: res.listenerCount('error'), close: res.listenerCount('close'), socketClose };
}

/** bareCounts is what node:http alone hangs on a response and its connection, so the test holds on every Node version. */
async function bareCounts(): Promise<ListenerCounts> {
  let counts: ListenerCounts | undefined;
  const server = http.createServer((_req, res) => {
    counts = listenerCounts(res);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  await new Promise((resolve) => server.close(resolve));
  if (counts === undefined) throw new Error('the bare server saw no request');
  return counts;
}

/** get asks through `agent`, and reads the answer to its end. */
function get(url: string, agent: http.Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

/** start runs the app logging into `lines`, letting `beforeListen` add to fastify first. */
async function start(beforeListen: (app: App) => void): Promise<{ app: App; base: string; lines: LogLine[] }> {
  const { logger, lines } = capturingLogger();
  const server = await startServer({}, { logger, beforeListen });
  running.push(server);
  return { app: server.app, base: server.base, lines };
}

describe('logging', () => {
  it("logs fastify's warnings about a request through the app's logger", async () => {
    const { app, base, lines } = await start((a) =>
      a.adapter.fastify.get('/twice', async (_req, reply) => {
        void reply.send('first');
        return 'second';
      }),
    );
    expect((await fetch(new URL('/twice', base))).status).toBe(200);
    await waitFor(() => lines.some((line) => line.level === 40 && String(line.msg).includes('Reply was already sent')));
    expect(app.logger.level).toBe('info');
  });

  it('logs why a request could not enter the graph, and answers it 500 INTERNAL instead of leaving its client waiting', async () => {
    const { app, base, lines } = await start(() => {});
    // A stopped network's inport is closed: handing it a packet throws.
    await app.network.stop();
    const poll = await call(`${base}?timeout=5`, { signal: AbortSignal.timeout(AT_ONCE_MS) });
    expect(poll.status).toBe(500);
    expect(poll.body.error.code).toBe('INTERNAL');
    const logged = lines.filter((line) => line.msg === 'request could not enter the graph');
    expect(logged).toEqual([expect.objectContaining({ level: 50, method: 'GET', path: new URL(base).pathname, err: expect.objectContaining({ type: 'ChannelClosedError' }) })]);
    expect(app.adapter.open.size).toBe(0);
  });

  it('takes a client that goes away while sending its body for what it is, not for a failure of the server', async () => {
    const { logger, lines } = capturingLogger('debug');
    let arrived = false;
    const server = await startServer({}, { logger, beforeListen: (app) => app.adapter.fastify.server.on('request', () => (arrived = true)) });
    running.push(server);
    const socket = net.connect(Number(new URL(server.base).port), '127.0.0.1');
    await once(socket, 'connect');
    // The body it announces never comes: node:http hears the connection close in the middle of it.
    socket.write(`POST ${new URL(server.base).pathname} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"text":`);
    await waitFor(() => arrived);
    socket.destroy();
    await waitFor(() => lines.some((line) => line.msg === 'the client went away before its request was read'));
    expect(lines.filter((line) => line.level >= 50)).toEqual([]);
    expect((await call(`${server.base}/health`)).status).toBe(200);
  });

  it('hangs no listener of its own on the response of a held poll, and one on its connection for all its requests', async () => {
    const bare = await bareCounts();
    const seen: { socket: unknown; counts: ListenerCounts }[] = [];
    const { base } = await start((a) =>
      // Added after the adapter's own listener, so it sees the response once the request is in the graph.
      a.adapter.fastify.server.on('request', (req: http.IncomingMessage, res: ServerResponse) => {
        setImmediate(() => seen.push({ socket: req.socket, counts: listenerCounts(res) }));
      }),
    );
    // One keep-alive connection: a request answered at once, then a poll held on the same connection.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    expect(await get(`${base}/health`, agent)).toBe(200);
    const poll = get(`${base}?timeout=5`, agent);
    await waitFor(async () => seen.length === 2 && (await heldPolls(base)) === 1);
    expect(seen[1]?.socket).toBe(seen[0]?.socket);
    expect(seen[1]?.counts).toEqual({ ...bare, socketClose: bare.socketClose + 1 });
    await fetch(base, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ author: 'a', text: 'x' }) });
    expect(await poll).toBe(200);
    agent.destroy();
  });

  it('writes only the lines at or above LOG_LEVEL', () => {
    const { logger, lines } = capturingLogger('warn');
    logger.info({}, 'not written');
    logger.warn({ room: 'lobby' }, 'written');
    expect(lines).toEqual([expect.objectContaining({ level: 40, msg: 'written', room: 'lobby' })]);
  });
});
