import { ROOT_CONTEXT, SpanKind, trace as otel, TraceFlags, type Context } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, RandomIdGenerator, type IdGenerator } from '@opentelemetry/sdk-trace-base';
import type { FinishedTrace, Trace, Traces } from './traces.ts';

/**
 * OpenTelemetry export of the traces GET B/graph/traces shows: one server
 * span per request, under its caller's span when it came with a
 * traceparent, and a child span per hop, sent over OTLP/HTTP to
 * OTEL_EXPORTER_OTLP_ENDPOINT. Loaded only when that is set.
 */
export interface SpanExport {
  /** Sends what is left and stops. */
  stop(): Promise<void>;
}

/**
 * TraceIds lets a request traced by TRACE_SAMPLE keep, in its spans, the id
 * GET B/graph/traces shows: the SDK draws the id of a span without a parent
 * from here.
 */
class TraceIds implements IdGenerator {
  private readonly random = new RandomIdGenerator();
  next: string | undefined;

  generateTraceId(): string {
    return this.next ?? this.random.generateTraceId();
  }

  generateSpanId(): string {
    return this.random.generateSpanId();
  }
}

export function exportSpans(traces: Traces, endpoint: string): SpanExport {
  const ids = new TraceIds();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'flowchat' }),
    idGenerator: ids,
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint.replace(/\/$/, '')}/v1/traces` }))],
  });
  const tracer = provider.getTracer('flowchat');

  function exported(finished: FinishedTrace, trace: Trace): void {
    let parent: Context = ROOT_CONTEXT;
    if (trace.parentSpanId !== undefined) {
      parent = otel.setSpanContext(ROOT_CONTEXT, { traceId: finished.traceId, spanId: trace.parentSpanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
    }
    ids.next = finished.traceId;
    const request = tracer.startSpan(
      `${finished.method} ${finished.path}`,
      { kind: SpanKind.SERVER, startTime: finished.startedAt, attributes: { 'http.request.method': finished.method, 'url.path': finished.path } },
      parent,
    );
    ids.next = undefined;
    request.setAttribute('http.response.status_code', finished.status);
    const within = otel.setSpan(ROOT_CONTEXT, request);
    for (const hop of trace.hops) {
      const start = finished.startedAt + (hop.at - trace.started);
      const span = tracer.startSpan(
        `${hop.process}.${hop.port}`,
        { kind: SpanKind.INTERNAL, startTime: start, attributes: { 'flowchat.process': hop.process, 'flowchat.port': hop.port, 'flowchat.wait_ms': hop.waitMs } },
        within,
      );
      span.end(start + hop.ms);
    }
    request.end(finished.startedAt + finished.ms);
  }

  const unsubscribe = traces.onFinish(exported);
  return {
    async stop() {
      unsubscribe();
      await provider.shutdown();
    },
  };
}
