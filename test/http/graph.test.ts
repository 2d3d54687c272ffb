import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadComponents } from '../../src/app/components.ts';
import { GraphError } from '../../src/runtime/errors.ts';
import { MAX_HOPS } from '../../src/runtime/network.ts';
import { defaultGraph, isEdge, openPostingGraph, writeGraph, type GraphJson } from '../helpers/graph-file.ts';
import { capturingLogger } from '../helpers/log-lines.ts';
import { startServerProcess } from '../helpers/process.ts';
import { AT_ONCE_MS, call, postJson, startServer, type TestServer } from '../helpers/server.ts';
import { chatTestComponents } from '../helpers/test-components.ts';

const running: TestServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

/** serve runs the app on a rewired copy of graph.json, with the test components available. */
async function serve(change: (graph: GraphJson) => void, logger = capturingLogger().logger): Promise<TestServer> {
  const graph = openPostingGraph();
  change(graph);
  const registry = (await loadComponents()).add(...chatTestComponents);
  const server = await startServer({ GRAPH: writeGraph(graph), RATE_LIMIT: '0' }, { registry, logger });
  running.push(server);
  return server;
}

/** insert puts a process between the two ends of the edge leaving `from`. */
function insert(graph: GraphJson, from: { process: string; port: string }, name: string, component: string): void {
  const edge = graph.connections.filter(isEdge).find((c) => c.src.process === from.process && c.src.port === from.port);
  if (edge === undefined) throw new Error(`no edge from ${from.process}.${from.port}`);
  graph.processes[name] = { component };
  graph.connections.push({ src: { process: name, port: 'out' }, tgt: edge.tgt });
  edge.tgt = { process: name, port: 'in' };
}

describe('GET B/graph', () => {
  it('shows the running network: processes, connections with capacity, live counters', async () => {
    const server = await serve(() => {});
    await postJson(server.base, { author: 'a', text: 'x' });
    await call(`${server.base}?timeout=0`);
    const { body } = await call(`${server.base}/graph`);
    expect(body.processes).toContainEqual({ name: 'Storage', component: 'Storage', errors: 0 });
    expect(body.connections).toContainEqual({ from: '(http)', to: 'Session.in', capacity: 64, sent: 3, waiting: 0 });
    expect(body.connections).toContainEqual({ from: 'Session.out', to: 'Router.in', capacity: 64, sent: 3, waiting: 0 });
    expect(body.connections).toContainEqual({ from: 'Storage.out', to: 'Responder.in', capacity: 1024, sent: 2, waiting: 0 });
    expect(body.connections).toContainEqual({ from: 'Router.post', to: 'SendController.in', capacity: 64, sent: 1, waiting: 0 });
  });
});

describe('rewiring graph.json', () => {
  it('runs a pass-through inserted between Router and SendController', async () => {
    const server = await serve((g) => insert(g, { process: 'Router', port: 'post' }, 'Audit', 'PassThrough'));
    expect((await postJson(server.base, { author: 'a', text: 'via audit' })).status).toBe(201);
    const { body } = await call(`${server.base}/graph`);
    expect(body.processes).toContainEqual({ name: 'Audit', component: 'PassThrough', errors: 0 });
    expect(body.connections).toContainEqual(expect.objectContaining({ from: 'Router.post', to: 'Audit.in', sent: 1 }));
    expect(body.connections).toContainEqual(expect.objectContaining({ from: 'Audit.out', to: 'SendController.in', sent: 1 }));
  });

  it('drops an endpoint whose route is unwired', async () => {
    const server = await serve((g) => {
      delete g.processes.Inspector;
      g.connections = g.connections.filter((c) => c.tgt.process !== 'Inspector' && !(isEdge(c) && c.src.process === 'Inspector'));
    });
    expect((await call(`${server.base}/graph`)).status).toBe(404);
    expect((await call(`${server.base}/health`)).status).toBe(200);
  });

  it('switches the rate limit off by taking RateLimit out of the graph', async () => {
    const graph = (g: GraphJson) => {
      delete g.processes.RateLimit;
      g.connections = g.connections.filter((c) => c.tgt.process !== 'RateLimit' && !(isEdge(c) && c.src.process === 'RateLimit'));
      g.connections.push({ src: { process: 'Rooms', port: 'post' }, tgt: { process: 'Storage', port: 'post' } });
      g.connections.push({ src: { process: 'Session', port: 'rooms' }, tgt: { process: 'Rooms', port: 'manage' } });
    };
    const registry = await loadComponents();
    const g = openPostingGraph();
    graph(g);
    const server = await startServer({ GRAPH: writeGraph(g), RATE_LIMIT: '1' }, { registry });
    running.push(server);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await postJson(server.base, { author: 'a', text: 'x' })).status);
    expect(statuses).toEqual([201, 201, 201]);
    const { token } = (await postJson(`${server.base}/session`, { nick: 'ann' })).body;
    for (const name of ['r1', 'r2']) expect((await postJson(`${server.base}/rooms`, { name }, { authorization: `Bearer ${token}` })).status).toBe(201);
  });

  it('refuses every graph one connection short of graph.json that would answer 500, naming the port left open', async () => {
    const edges = defaultGraph().connections.filter(isEdge);
    const full = await answersTo(defaultGraph());
    // On the whole graph each request gets the answer it should: the battery takes every route, and the error ports of Router, Controller, SendController and RateLimit.
    expect(full).toEqual(FULL_GRAPH_ANSWERS);
    let refused = 0;
    for (const [index, edge] of edges.entries()) {
      const graph = defaultGraph();
      graph.connections = graph.connections.filter((c) => c !== graph.connections.filter(isEdge)[index]);
      const ends = [`${edge.src.process}.${edge.src.port}`, `${edge.tgt.process}.${edge.tgt.port}`];
      const answers = await answersTo(graph).catch((error: unknown) => {
        expect(error, ends.join(' → ')).toBeInstanceOf(GraphError);
        expect((error as GraphError).problems.some((p) => ends.some((end) => p.where.startsWith(end))), `${ends.join(' → ')}: ${(error as Error).message}`).toBe(true);
        refused++;
        return undefined;
      });
      if (answers === undefined) continue;
      const failures = Object.entries(answers).filter(([, status]) => status >= 500);
      expect(failures, `without ${ends.join(' → ')}`).toEqual([]);
    }
    // Both kinds of graph occur: some connections can go (a route, a notice), most cannot.
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThan(edges.length);
  });
});

/** What graph.json answers to the battery below: a request on every route, and requests that its error ports answer. */
const FULL_GRAPH_ANSWERS = {
  'POST B/session': 201,
  'GET B/session': 200,
  'POST B': 201,
  'POST B (no text)': 400,
  'POST B (over the rate limit)': 429,
  'GET B?since=0': 200,
  'GET B?since=x': 400,
  'GET B/health': 200,
  'GET B/rooms': 200,
  'POST B/rooms (over the rate limit)': 429,
  'GET B/rooms/nowhere': 404,
  'GET B/users?room=lobby': 200,
  'GET B/users?q=a': 200,
  'GET B/users/ann': 200,
  'GET B/graph': 200,
  'GET B/graph/traces': 200,
  'GET B/metrics': 200,
  'GET B/auth': 200,
  'GET B/nowhere': 404,
  'DELETE B/session': 204,
};

/**
 * answersTo starts the app on `graph` (RATE_LIMIT=1, so the second post is
 * refused) and sends each request of the battery once, in order; it returns
 * each one's status, or rejects with the GraphError of a refused graph.
 */
async function answersTo(graph: GraphJson): Promise<Record<keyof typeof FULL_GRAPH_ANSWERS, number>> {
  const server = await startServer({ GRAPH: writeGraph(graph), RATE_LIMIT: '1' });
  try {
    const B = server.base;
    const status = async (url: string, init: RequestInit = {}) => (await fetch(url, { ...init, signal: AbortSignal.timeout(AT_ONCE_MS) })).status;
    const session = await fetch(`${B}/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ nick: 'ann' }) });
    const { token } = (await session.json()) as { token?: string };
    const auth = { authorization: `Bearer ${token}` };
    const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify(body) });
    return {
      'POST B/session': session.status,
      'GET B/session': await status(`${B}/session`, { headers: auth }),
      'POST B': await status(B, json({ text: 'hi' })),
      'POST B (no text)': await status(B, json({})),
      'POST B (over the rate limit)': await status(B, json({ text: 'again' })),
      // timeout=1: where a broken graph leaves no message to find, the poll still ends.
      'GET B?since=0': await status(`${B}?since=0&timeout=1`, { headers: auth }),
      'GET B?since=x': await status(`${B}?since=x`, { headers: auth }),
      'GET B/health': await status(`${B}/health`),
      'GET B/rooms': await status(`${B}/rooms`, { headers: auth }),
      'POST B/rooms (over the rate limit)': await status(`${B}/rooms`, json({ name: 'r1' })),
      'GET B/rooms/nowhere': await status(`${B}/rooms/nowhere`, { headers: auth }),
      'GET B/users?room=lobby': await status(`${B}/users?room=lobby`, { headers: auth }),
      'GET B/users?q=a': await status(`${B}/users?q=a`, { headers: auth }),
      'GET B/users/ann': await status(`${B}/users/ann`, { headers: auth }),
      'GET B/graph': await status(`${B}/graph`),
      'GET B/graph/traces': await status(`${B}/graph/traces`),
      'GET B/metrics': await status(`${B}/metrics`),
      'GET B/auth': await status(`${B}/auth`),
      'GET B/nowhere': await status(`${B}/nowhere`),
      'DELETE B/session': await status(`${B}/session`, { method: 'DELETE', headers: auth }),
    };
  } finally {
    await server.close();
  }
}

describe('a graph that sends requests round a loop', () => {
  it('answers 500 INTERNAL once a request has gone round too many times, logs where, and keeps serving', async () => {
    // Router.health → Session.in: a health check goes Session, Router, Session, Router… for ever.
    const graph = openPostingGraph();
    const health = graph.connections.filter(isEdge).find((c) => c.src.process === 'Router' && c.src.port === 'health');
    if (health === undefined) throw new Error('graph.json has no Router.health');
    health.tgt = { process: 'Session', port: 'in' };
    // In a process of its own: a loop that froze the server must fail this test, not freeze it too.
    const server = await startServerProcess({ env: { GRAPH: writeGraph(graph), RATE_LIMIT: '0' } });
    try {
      const looped = await call(`${server.base}/health`, { signal: AbortSignal.timeout(AT_ONCE_MS) });
      expect(looped.status).toBe(500);
      expect(looped.body.error.code).toBe('INTERNAL');
      // The log is written asynchronously: the answer can come before its line.
      const failure = await vi.waitFor(() => {
        const line = server.output().stdout.split('\n').find((l) => l.includes('"level":50'));
        if (line === undefined) throw new Error('no line at error level yet');
        return line;
      }, { timeout: AT_ONCE_MS });
      expect(JSON.parse(failure)).toMatchObject({
        process: 'Session',
        msg: 'process Session failed',
        err: { type: 'PacketLoopError', message: expect.stringContaining(`reached Session.in on its hop ${MAX_HOPS + 1}`) },
      });
      const post = await postJson(server.base, { author: 'a', text: 'still here' }, {});
      expect(post.status).toBe(201);
      expect((await call(`${server.base}?since=0&timeout=0`)).body.messages).toHaveLength(1);
    } finally {
      await server.stop();
    }
  });
});

describe('a process that fails', () => {
  it('answers 500 INTERNAL for the packet it held, logs it, counts the error, and keeps serving', async () => {
    const { logger, lines } = capturingLogger();
    const server = await serve((g) => insert(g, { process: 'Router', port: 'poll' }, 'Fragile', 'Exploder'), logger);
    const failed = await call(`${server.base}?explode=1`);
    expect(failed.status).toBe(500);
    expect(failed.body.error.code).toBe('INTERNAL');
    expect(lines).toContainEqual(expect.objectContaining({ level: 50, process: 'Fragile', msg: 'process Fragile failed' }));
    expect((await call(`${server.base}?timeout=0`)).status).toBe(200);
    const { body } = await call(`${server.base}/graph`);
    expect(body.processes).toContainEqual({ name: 'Fragile', component: 'Exploder', errors: 1 });
    const metrics = await (await fetch(`${server.base}/metrics`)).text();
    expect(metrics).toContain('flowchat_process_errors_total{process="Fragile"} 1\n');
  });
});
