import { afterEach, describe, expect, it } from 'vitest';
import type { FinishedTrace } from '../../src/tracing/traces.ts';
import { call, heldPolls, openPoll, postJson, startServer, waitFor, type TestServer } from '../helpers/server.ts';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(env: Record<string, string> = {}): Promise<TestServer> {
  server = await startServer({ RATE_LIMIT: '0', ...env });
  return server;
}

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const sampled = (traceId = TRACE_ID) => ({ traceparent: `00-${traceId}-00f067aa0ba902b7-01` });

async function traces(s: TestServer): Promise<FinishedTrace[]> {
  const answer = await call(`${s.base}/graph/traces`);
  expect(answer.status).toBe(200);
  return answer.body.traces;
}

const path = (trace: FinishedTrace | undefined) => trace?.hops.map((h) => `${h.process}.${h.port}`);

describe('GET B/graph/traces', () => {
  it("traces a request whose traceparent is sampled: each hop's process, port, wait and time, under the caller's trace id", async () => {
    const s = await start();
    expect((await postJson(s.base, { author: 'ann', text: 'traced', room: 'tr' }, sampled())).status).toBe(201);
    const [trace] = await traces(s);
    expect(trace).toMatchObject({ traceId: TRACE_ID, method: 'POST', path: '/gochat/chat', status: 201 });
    expect(path(trace)).toEqual(['Session.in', 'Router.in', 'SendController.in', 'Rooms.post', 'RateLimit.in', 'Storage.post', 'Responder.in']);
    for (const hop of trace?.hops ?? []) {
      expect(hop.waitMs).toBeGreaterThanOrEqual(0);
      expect(hop.ms).toBeGreaterThanOrEqual(0);
    }
    // Each process's own time, the processes it handed packets to not counted: together about the whole request's.
    expect(trace?.hops.reduce((sum, h) => sum + h.ms, 0)).toBeLessThanOrEqual((trace?.ms ?? 0) + 0.5);
  });

  it('follows a held poll until the post that releases it', async () => {
    const s = await start();
    const poll = openPoll(`${s.base}?room=held-trace&since=0&timeout=60`, sampled('0af7651916cd43dd8448eb211c80319c'));
    await waitFor(async () => (await heldPolls(s.base)) === 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await postJson(s.base, { author: 'ann', text: 'wake', room: 'held-trace' });
    await poll.answer;
    const trace = (await traces(s)).find((t) => t.traceId === '0af7651916cd43dd8448eb211c80319c');
    expect(trace).toMatchObject({ method: 'GET', status: 200 });
    expect(path(trace)).toEqual(['Session.in', 'Router.in', 'Controller.in', 'Rooms.poll', 'Presence.poll', 'Storage.poll', 'Responder.in']);
    expect(trace?.ms).toBeGreaterThanOrEqual(50);
  });

  it('traces neither a request without traceparent nor one whose traceparent is not sampled or not valid', async () => {
    const s = await start();
    await call(`${s.base}/health`);
    await call(`${s.base}/health`, { headers: { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-00` } });
    await call(`${s.base}/health`, { headers: { traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' } });
    await call(`${s.base}/health`, { headers: { traceparent: 'not a traceparent' } });
    expect(await traces(s)).toEqual([]);
  });

  it('traces a share of the other requests with TRACE_SAMPLE, each under a new trace id', async () => {
    const s = await start({ TRACE_SAMPLE: '1' });
    await call(`${s.base}/health`);
    await call(`${s.base}/health`, { headers: { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-00` } });
    const [unsampled, fresh] = (await traces(s)).filter((t) => t.path.endsWith('/health'));
    expect(unsampled?.traceId).toBe(TRACE_ID);
    expect(fresh?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(fresh?.traceId).not.toBe(TRACE_ID);
    expect(path(fresh)).toEqual(['Session.in', 'Router.in', 'Storage.health', 'Responder.in']);
  });

  it('keeps the last 100, newest first', async () => {
    const s = await start();
    for (let i = 0; i < 105; i++) await call(`${s.base}/health?i=${i}`, { headers: sampled(i.toString(16).padStart(32, 'a')) });
    const kept = await traces(s);
    expect(kept).toHaveLength(100);
    expect(kept[0]?.traceId).toBe((104).toString(16).padStart(32, 'a'));
    expect(kept[99]?.traceId).toBe((5).toString(16).padStart(32, 'a'));
  });
});
