import { afterEach, describe, expect, it } from 'vitest';
import { COMPONENTS_DIR } from '../../src/app/app.ts';
import { loadRegistry } from '../../src/runtime/registry.ts';
import { isEdge, openPostingGraph, writeGraph, type GraphJson } from '../helpers/graph-file.ts';
import { capturingLogger } from '../helpers/log-lines.ts';
import { call, postJson, startServer, type TestServer } from '../helpers/server.ts';
import { chatTestComponents } from '../helpers/test-components.ts';

const running: TestServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

/** serve runs the app on a rewired copy of graph.json, with the test components available. */
async function serve(change: (graph: GraphJson) => void, logger = capturingLogger().logger): Promise<TestServer> {
  const graph = openPostingGraph();
  change(graph);
  const registry = (await loadRegistry(COMPONENTS_DIR)).add(...chatTestComponents);
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
    };
    const registry = await loadRegistry(COMPONENTS_DIR);
    const g = openPostingGraph();
    graph(g);
    const server = await startServer({ GRAPH: writeGraph(g), RATE_LIMIT: '1' }, { registry });
    running.push(server);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await postJson(server.base, { author: 'a', text: 'x' })).status);
    expect(statuses).toEqual([201, 201, 201]);
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
