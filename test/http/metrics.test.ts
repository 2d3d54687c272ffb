import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heldPolls, openPoll, postJson, startServer, waitFor, type TestServer } from '../helpers/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ RATE_LIMIT: '0' });
});
afterAll(() => server.close());

/** scrape reads GET B/metrics as Prometheus would, into `name{labels}` → value. */
async function scrape(): Promise<Map<string, number>> {
  const response = await fetch(`${server.base}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const values = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    values.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return values;
}

const value = (metrics: Map<string, number>, name: string) => metrics.get(name) ?? 0;

describe('GET B/metrics', () => {
  it('counts a post, the poll it released, its latency, the request and the connections it crossed', async () => {
    const before = await scrape();
    const poll = openPoll(`${server.base}?room=metered&since=0&timeout=60`);
    await waitFor(async () => (await heldPolls(server.base)) === 1);
    expect(value(await scrape(), 'flowchat_held_polls')).toBe(1);
    expect((await postJson(server.base, { author: 'ann', text: 'counted', room: 'metered' })).status).toBe(201);
    expect((await poll.answer).status).toBe(200);
    const after = await scrape();
    const grew = (name: string) => value(after, name) - value(before, name);
    expect(value(after, 'flowchat_held_polls')).toBe(0);
    expect(grew('flowchat_messages_appended_total')).toBe(1);
    expect(grew('flowchat_deliveries_total')).toBe(1);
    expect(grew('flowchat_delivery_latency_seconds_count')).toBe(1);
    expect(grew('flowchat_delivery_latency_seconds_bucket{le="+Inf"}')).toBe(1);
    expect(grew('flowchat_http_requests_total{route="post",status="201"}')).toBe(1);
    expect(grew('flowchat_http_requests_total{route="poll",status="200"}')).toBe(1);
    expect(grew('flowchat_connection_packets_total{from="Router.post",to="SendController.in"}')).toBe(1);
    expect(grew('flowchat_connection_packets_total{from="Router.poll",to="Controller.in"}')).toBe(1);
  });

  it('counts a poll answered at once with the messages it carries', async () => {
    for (const text of ['one', 'two', 'three']) await postJson(server.base, { author: 'ann', text, room: 'waiting' });
    const before = await scrape();
    await fetch(`${server.base}?room=waiting&since=0`);
    expect(value(await scrape(), 'flowchat_deliveries_total') - value(before, 'flowchat_deliveries_total')).toBe(3);
  });

  it('labels refusals with their status and the requests no route took as none', async () => {
    const before = await scrape();
    await fetch(`${server.base}/nowhere`);
    await postJson(server.base, { author: 'ann', text: '' });
    const after = await scrape();
    expect(value(after, 'flowchat_http_requests_total{route="none",status="404"}') - value(before, 'flowchat_http_requests_total{route="none",status="404"}')).toBe(1);
    expect(value(after, 'flowchat_http_requests_total{route="post",status="400"}') - value(before, 'flowchat_http_requests_total{route="post",status="400"}')).toBe(1);
  });

  it("shows every connection's waiting packets, every process's errors and the process's own figures", async () => {
    const metrics = await scrape();
    expect(metrics.get('flowchat_connection_waiting{from="(http)",to="Session.in"}')).toBe(0);
    expect(metrics.get('flowchat_process_errors_total{process="Storage"}')).toBe(0);
    expect(metrics.get('process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(metrics.get('nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });
});
