import { randomBytes } from 'node:crypto';
import type { Hop, HopLog, Tracing } from '../runtime/tracing.ts';

/** How many finished traces GET B/graph/traces shows. */
export const KEPT_TRACES = 100;

/** Status recorded for a request whose client went away before its answer (nginx's 499). */
export const CLIENT_GONE = 499;

/** FinishedTrace is one request's way through the graph, as GET B/graph/traces shows it. */
export interface FinishedTrace {
  readonly traceId: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly ms: number;
  readonly hops: readonly Omit<Hop, 'at'>[];
  /** When it started, in ms since the Unix epoch (for an exporter's spans). */
  readonly startedAt: number;
}

/** Trace records the hops of one request until it is answered. */
export class Trace implements HopLog {
  readonly hops: Hop[] = [];
  /** performance.now() when the request arrived: hops' `at` count from here. */
  readonly started = performance.now();
  readonly startedAt = Date.now();
  private ended = false;

  constructor(
    private readonly owner: Traces,
    readonly traceId: string,
    readonly parentSpanId: string | undefined,
    readonly method: string,
    readonly path: string,
  ) {}

  add(hop: Hop): void {
    this.hops.push(hop);
  }

  /** end records the answer's status (CLIENT_GONE if the client left first); later calls do nothing. */
  end(status: number): void {
    if (this.ended) return;
    this.ended = true;
    this.owner.finish(this, status, performance.now() - this.started);
  }
}

/** TRACEPARENT is W3C Trace Context's header: version, trace id, parent span id, flags. */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * Traces decides which requests are traced (a `traceparent` with the sampled
 * flag, and a `sample` share of the others), follows them through the graph
 * and keeps the last KEPT_TRACES finished ones.
 */
export class Traces implements Tracing {
  active = 0;
  private readonly kept: FinishedTrace[] = [];
  private readonly listeners = new Set<(trace: FinishedTrace, spanOf: Trace) => void>();

  constructor(
    private readonly sample: number,
    private readonly random: () => number = Math.random,
  ) {}

  /**
   * begin starts a trace for a request that should have one, or gives
   * undefined; the request's path is read only for a traced one.
   */
  begin(request: { readonly method: string; readonly path: string }, traceparent: string | string[] | undefined): Trace | undefined {
    // Most requests carry no traceparent and no sample is taken: they cost a comparison or two.
    if (traceparent === undefined && this.sample === 0) return undefined;
    const parent = typeof traceparent === 'string' ? TRACEPARENT.exec(traceparent.trim().toLowerCase()) : null;
    const valid = parent !== null && !/^0+$/.test(parent[1] as string) && !/^0+$/.test(parent[2] as string);
    const sampled = valid && (parseInt(parent[3] as string, 16) & 1) === 1;
    if (!sampled && !(this.sample > 0 && this.random() < this.sample)) return undefined;
    const { method, path } = request;
    this.active++;
    // A request that carries a trace id keeps it, sampled or not, so its spans join the caller's.
    const traceId = valid ? (parent[1] as string) : randomBytes(16).toString('hex');
    return new Trace(this, traceId, valid ? parent[2] : undefined, method, path);
  }

  of(packet: unknown): HopLog | undefined {
    // A request, or a packet that carries one (a poll command, a reply).
    const request = typeof packet === 'object' && packet !== null ? ('request' in packet ? packet.request : packet) : undefined;
    const trace = typeof request === 'object' && request !== null && 'trace' in request ? request.trace : undefined;
    return trace instanceof Trace ? trace : undefined;
  }

  finish(trace: Trace, status: number, ms: number): void {
    // The answer is written inside the last hop (the Responder's), and maybe others: let them finish first.
    queueMicrotask(() => this.keep(trace, status, ms));
  }

  private keep(trace: Trace, status: number, ms: number): void {
    this.active--;
    const finished: FinishedTrace = {
      traceId: trace.traceId, method: trace.method, path: trace.path, status, ms: round(ms),
      hops: trace.hops.map((h) => ({ process: h.process, port: h.port, waitMs: round(h.waitMs), ms: round(h.ms) })),
      startedAt: trace.startedAt,
    };
    this.kept.push(finished);
    if (this.kept.length > KEPT_TRACES) this.kept.shift();
    for (const listener of this.listeners) listener(finished, trace);
  }

  /** recent gives the last finished traces, newest first. */
  recent(): FinishedTrace[] {
    return this.kept.slice().reverse();
  }

  /** onFinish calls back with every trace that finishes (an exporter); returns how to stop. */
  onFinish(listener: (trace: FinishedTrace, spanOf: Trace) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
}

/** round keeps a duration to the microsecond. */
function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
