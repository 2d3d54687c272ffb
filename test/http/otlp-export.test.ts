import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { postJson, startServer } from '../helpers/server.ts';

/**
 * The receiving end of OTLP/HTTP, as an OpenTelemetry collector listens on
 * 4318: it takes POST /v1/traces and keeps each body, which the exporter
 * sends as OTLP's JSON.
 */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: { key: string; value: Record<string, unknown> }[];
}
interface OtlpBody {
  resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
}

const closing: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closing.splice(0).reverse()) await close();
});

async function collector(): Promise<{ endpoint: string; bodies: OtlpBody[] }> {
  const bodies: OtlpBody[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') bodies.push(JSON.parse(text) as OtlpBody);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closing.push(() => new Promise((resolve) => server.close(resolve)));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
}

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';

describe('OpenTelemetry export (OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  it("sends each traced request as a server span under its caller's, with a span per hop", async () => {
    const { endpoint, bodies } = await collector();
    const server = await startServer({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, RATE_LIMIT: '0' });
    expect((await postJson(server.base, { author: 'ann', text: 'exported', room: 'otel' }, { traceparent: `00-${TRACE_ID}-${PARENT}-01` })).status).toBe(201);
    // Shutting down sends what the batch still holds.
    await server.close();
    const spans = bodies.flatMap((b) => b.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)));
    const service = bodies[0]?.resourceSpans[0]?.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue;
    expect(service).toBe('flowchat');
    const request = spans.find((s) => s.name === 'POST /gochat/chat');
    expect(request).toMatchObject({ traceId: TRACE_ID, parentSpanId: PARENT });
    expect(request?.attributes).toContainEqual({ key: 'http.response.status_code', value: { intValue: 201 } });
    const hops = spans.filter((s) => s.parentSpanId === request?.spanId).map((s) => s.name);
    expect(hops).toEqual(['Session.in', 'Router.in', 'SendController.in', 'Rooms.post', 'RateLimit.in', 'Storage.post', 'Responder.in']);
    for (const hop of spans.filter((s) => s.parentSpanId === request?.spanId)) {
      expect(hop.traceId).toBe(TRACE_ID);
      expect(BigInt(hop.startTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(request?.startTimeUnixNano ?? 0));
      expect(BigInt(hop.endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(hop.startTimeUnixNano));
    }
  });

  it('exports a request traced by TRACE_SAMPLE under the trace id GET B/graph/traces shows', async () => {
    const { endpoint, bodies } = await collector();
    const server = await startServer({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, TRACE_SAMPLE: '1' });
    await fetch(`${server.base}/health`);
    const shown = ((await (await fetch(`${server.base}/graph/traces`)).json()) as { traces: { traceId: string; path: string }[] }).traces.find((t) => t.path.endsWith('/health'));
    await server.close();
    const spans = bodies.flatMap((b) => b.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)));
    expect(spans.find((s) => s.name === 'GET /gochat/chat/health')?.traceId).toBe(shown?.traceId);
  });

  it('is loaded only when asked for: nothing the server imports at start names OpenTelemetry', () => {
    // Follows every static import from src/main.ts; the exporter is reached only by the dynamic import behind the setting.
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const [, spec] of readFileSync(file, 'utf8').matchAll(/^import\s[^;]*?from\s+'([^']+)'/gms)) {
        expect(spec, `${file} imports it`).not.toMatch(/opentelemetry|otlp-export/);
        if (spec?.startsWith('.')) visit(path.resolve(path.dirname(file), spec));
      }
    };
    visit(path.resolve('src/main.ts'));
    expect(seen.size).toBeGreaterThan(20);
  });
});
