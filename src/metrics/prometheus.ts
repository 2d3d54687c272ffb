import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { NetworkDescription } from '../runtime/network.ts';
import type { Meters } from './meters.ts';

/** What the metrics read from the rest of the application when scraped. */
export interface MetricSources {
  /** The running network, for the counters of connections and processes. */
  describeNetwork(): NetworkDescription;
  /** Answers written so far, by route and status. */
  answerCounts(): Iterable<{ route: string; status: string; count: number }>;
}

/** Scrape is the answer to GET B/metrics. */
export interface Scrape {
  readonly contentType: string;
  readonly text: string;
}

/**
 * PrometheusMeters counts what components report (Meters) and reads the
 * rest when scraped, with prom-client: one registry per app, so that two
 * apps in one process (tests) do not share counts.
 */
export class PrometheusMeters implements Meters {
  private readonly registry = new Registry();
  // Counted as plain numbers on the hot path, handed to prom-client when scraped.
  private appendedCount = 0;
  private deliveredCount = 0;
  private readonly latency: Histogram;
  private readonly holders = new Set<() => number>();

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    const holders = this.holders;
    new Gauge({
      name: 'flowchat_held_polls',
      help: 'Polls held, waiting for a message',
      registers,
      collect() {
        let held = 0;
        for (const count of holders) held += count();
        this.set(held);
      },
    });
    new Counter({
      name: 'flowchat_http_requests_total',
      help: 'Requests the graph answered, by route (the Router\'s out-port; none for 404 and 405) and status',
      labelNames: ['route', 'status'],
      registers,
      collect() {
        this.reset();
        for (const { route, status, count } of sources.answerCounts()) this.inc({ route, status }, count);
      },
    });
    const counted = (name: string, help: string, read: () => number) =>
      new Counter({
        name,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    counted('flowchat_messages_appended_total', 'Messages appended through this node (joins and leaves included)', () => this.appendedCount);
    counted('flowchat_deliveries_total', 'Messages handed to polls: one message in the answers to ten polls is ten', () => this.deliveredCount);
    this.latency = new Histogram({
      name: 'flowchat_delivery_latency_seconds',
      help: 'From a message\'s append to the answer of the held polls it released, once per message',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    new Counter({
      name: 'flowchat_connection_packets_total',
      help: 'Packets sent over each connection of the graph (from Process.port, or (inport), to Process.port)',
      labelNames: ['from', 'to'],
      registers,
      collect() {
        this.reset();
        for (const c of sources.describeNetwork().connections) this.inc({ from: c.from, to: c.to }, c.sent);
      },
    });
    new Gauge({
      name: 'flowchat_connection_waiting',
      help: 'Packets waiting in each connection of the graph, senders held by backpressure included',
      labelNames: ['from', 'to'],
      registers,
      collect() {
        this.reset();
        for (const c of sources.describeNetwork().connections) this.set({ from: c.from, to: c.to }, c.waiting);
      },
    });
    new Counter({
      name: 'flowchat_process_errors_total',
      help: 'Failures of each process of the graph (each answered 500 INTERNAL)',
      labelNames: ['process'],
      registers,
      collect() {
        this.reset();
        for (const p of sources.describeNetwork().processes) this.inc({ process: p.name }, p.errors);
      },
    });
    collectDefaultMetrics({ register: this.registry });
  }

  appended(): void {
    this.appendedCount++;
  }

  delivered(count: number): void {
    this.deliveredCount += count;
  }

  released(ms: number): void {
    this.latency.observe(Math.max(0, ms) / 1000);
  }

  holding(count: () => number): () => void {
    this.holders.add(count);
    return () => void this.holders.delete(count);
  }

  async scrape(): Promise<Scrape> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}
