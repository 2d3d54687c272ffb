import { afterEach, describe, expect, it } from 'vitest';
import { loadComponents } from '../../src/app/components.ts';
import { DEFAULT_CAPACITY } from '../../src/runtime/graph.ts';
import { isEdge, openPostingGraph, writeGraph } from '../helpers/graph-file.ts';
import { call, startServer, waitFor, type TestServer } from '../helpers/server.ts';
import { chatTestComponents, gate } from '../helpers/test-components.ts';

let server: TestServer | undefined;
afterEach(async () => {
  gate.open();
  await server?.close();
  server = undefined;
});

const MAX_WAITING = 20;

/** stalled runs the chat with a Gate between Session and Router, over a connection with room for one. */
async function stalled(): Promise<TestServer> {
  const graph = openPostingGraph();
  const edge = graph.connections.filter(isEdge).find((c) => c.src.process === 'Session' && c.src.port === 'out');
  if (edge === undefined) throw new Error('graph.json has no Session.out');
  graph.processes.Gate = { component: 'Gate' };
  graph.connections.push({ src: { process: 'Gate', port: 'out' }, tgt: edge.tgt });
  edge.tgt = { process: 'Gate', port: 'in' };
  edge.metadata = { capacity: 1 };
  const registry = (await loadComponents()).add(...chatTestComponents);
  server = await startServer({ GRAPH: writeGraph(graph), MAX_WAITING_REQUESTS: String(MAX_WAITING) }, { registry });
  return server;
}

describe('backpressure from a stalled process to the sockets', () => {
  it('holds a bounded number of requests while a process stalls, refuses the rest 503 OVERLOADED, and answers every one it took once the process goes on', async () => {
    const s = await stalled();
    gate.close();
    const sent = 300;
    let answered = 0;
    const answers = Array.from({ length: sent }, () => call(`${s.base}/health`).finally(() => answered++));
    // In the graph: one held by the Gate, one in its connection, one Session is sending, the inport's buffer; then the waiting ones.
    const bound = 1 + 1 + 1 + DEFAULT_CAPACITY + MAX_WAITING;
    await waitFor(() => s.app.adapter.waiting === MAX_WAITING);
    // Every request has arrived: refused at once, or held by the server.
    await waitFor(() => answered + s.app.adapter.open.size === sent);
    let most = 0;
    for (let i = 0; i < 20; i++) {
      most = Math.max(most, s.app.adapter.open.size);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(most).toBeLessThanOrEqual(bound);
    expect(s.app.adapter.waiting).toBe(MAX_WAITING);
    // A poll, which node:http hands to the graph without fastify, is refused the same way.
    const poll = await call(`${s.base}?timeout=0`);
    expect([poll.status, poll.body.error.code, poll.headers.get('retry-after')]).toEqual([503, 'OVERLOADED', '1']);
    gate.open();
    const statuses = (await Promise.all(answers)).map((a) => a.status);
    const overloaded = (await Promise.all(answers)).filter((a) => a.status === 503);
    expect(overloaded.length).toBeGreaterThanOrEqual(sent - bound);
    for (const refusal of overloaded) {
      expect(refusal.body.error.code).toBe('OVERLOADED');
      expect(refusal.headers.get('retry-after')).toBe('1');
    }
    expect(statuses.filter((status) => status === 200).length).toBe(sent - overloaded.length);
    expect(s.app.adapter.waiting).toBe(0);
    expect(s.app.adapter.open.size).toBe(0);
  });
});
