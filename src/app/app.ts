import type { AddressInfo } from 'node:net';
import type { AppContext } from './app-context.ts';
import { createHttpAdapter, type HttpAdapter } from '../http/server.ts';
import { createLogger, type AppLogger } from './logger.ts';
import { mallocTrim } from '../reclaim/malloc-trim.ts';
import { PrometheusMeters } from '../metrics/prometheus.ts';
import { Traces } from '../tracing/traces.ts';
import { lowMemoryCollection, MemoryReclaimer } from '../reclaim/memory-reclaimer.ts';
import { errorBody, statusOf } from '../protocol/errors.ts';
import { requestOf, type HttpRequest } from '../protocol/packets.ts';
import { GraphError } from '../runtime/errors.ts';
import { describeChanges, type GraphChanges } from '../runtime/graph-changes.ts';
import { loadGraph, type GraphDefinition } from '../runtime/graph.ts';
import { Network } from '../runtime/network.ts';
import type { Registry } from '../runtime/registry.ts';
import { loadComponents } from './components.ts';
import type { Settings } from './settings.ts';
import { openStores } from './stores.ts';

/** The inport every graph must declare: where HTTP requests enter. */
export const HTTP_INPORT = { name: 'http', datatype: 'request' } as const;

/** App is flowchat assembled: the HTTP adapter feeding the network of graph.json. */
export interface App {
  readonly settings: Settings;
  readonly logger: AppLogger;
  readonly adapter: HttpAdapter;
  readonly network: Network<AppContext>;
  /** Gives memory back after a wave of clients has gone; undefined in a Node without the inspector. */
  readonly reclaimer: MemoryReclaimer | undefined;
  /** Starts listening; resolves to the origin, e.g. http://127.0.0.1:9090. */
  listen(): Promise<string>;
  /**
   * Re-reads the graph file (SIGHUP) and runs it in place of the running
   * graph without dropping anything, if it passes every check; otherwise
   * logs every problem and the running graph stays. Resolves to what
   * changed, or undefined when the file was refused.
   */
  reload(): Promise<GraphChanges | undefined>;
  /** Answers held polls, refuses new requests, drains the graph and closes the server. */
  shutdown(): Promise<void>;
}

export interface AppOptions {
  /** Components to use instead of loading components/ (tests add their own). */
  readonly registry?: Registry;
  /** A checked graph to run instead of loading settings.graph. */
  readonly graph?: GraphDefinition;
  /** A logger to use instead of one writing LOG_LEVEL's lines to stdout (tests read what is logged). */
  readonly logger?: AppLogger;
  /** The clock of the rules about time, instead of Date.now (tests move it; see AppContext.now). */
  readonly now?: () => number;
}

/** createApp loads the registry and the graph (throwing GraphError if it is refused) and starts the network. */
export async function createApp(settings: Settings, options: AppOptions = {}): Promise<App> {
  const registry = options.registry ?? (await loadComponents());
  const load = () => loadGraph(settings.graph, { registry, inports: [HTTP_INPORT], tuning: settings.tuning });
  const graph = options.graph ?? (await load());
  const logger = options.logger ?? createLogger(settings.logLevel);
  const now = options.now ?? Date.now;
  const stores = await openStores(settings, now, logger);
  const traces = new Traces(settings.traceSample);
  // Loaded only when asked for: a server that exports nothing loads nothing of OpenTelemetry.
  const spans = settings.otlpEndpoint === undefined ? undefined : (await import('../tracing/otlp-export.ts')).exportSpans(traces, settings.otlpEndpoint);
  let loadedAt = new Date().toISOString();
  const adapter = createHttpAdapter(settings, logger, traces);
  const meters = new PrometheusMeters({ describeNetwork: () => network.describe(), answerCounts: () => adapter.open.answerCounts() });
  const network: Network<AppContext> = new Network({
    graph,
    app: { settings, now, stores, meters, traces, describeNetwork: () => ({ ...network.describe(), file: settings.graph, loadedAt }), scrape: () => meters.scrape() },
    tracing: traces,
    journeyOf: requestOf,
    logger,
    // The packet a failed process held is answered, so no client waits for nothing.
    onError: (_process, _error, packet) => requestOf(packet)?.respond(statusOf('INTERNAL'), errorBody('INTERNAL')),
  });
  // A network that cannot start must not leave Redis connections holding the process open.
  await network.start().catch(async (error: unknown) => {
    await spans?.stop();
    await stores.close();
    throw error;
  });
  adapter.connect(network.inport(HTTP_INPORT.name) as (request: HttpRequest) => Promise<void> | undefined);
  const collect = lowMemoryCollection(mallocTrim.trim);
  if (mallocTrim.problem !== undefined && settings.reclaimAfterDrop > 0) logger.warn({ problem: mallocTrim.problem }, 'memory freed after a wave of clients will stay resident');
  const reclaimer = collect === undefined ? undefined : new MemoryReclaimer(
    () => adapter.open.takeHighWater(),
    (fell) => {
      const rssMiB = rss();
      collect((collected) => logger.info({ openRequests: fell, rssMiB: { before: rssMiB, after: rss() }, ...collected }, 'the load fell: memory collected and given back'));
    },
    { minDrop: settings.reclaimAfterDrop, quietMs: 1_000, sampleMs: 250 },
  );

  let stopping: Promise<void> | undefined;
  // One reload at a time: a second SIGHUP waits for the first.
  let reloading: Promise<unknown> = Promise.resolve();
  return {
    settings,
    logger,
    adapter,
    network,
    reclaimer,
    async listen() {
      await adapter.fastify.listen({ port: settings.port, host: settings.host });
      reclaimer?.start();
      const { address, port, family } = adapter.fastify.server.address() as AddressInfo;
      return `http://${family === 'IPv6' ? `[${address}]` : address}:${port}`;
    },
    reload() {
      const done = reloading.then(async () => {
        let next: GraphDefinition;
        try {
          next = await load();
        } catch (error) {
          if (!(error instanceof GraphError)) throw error;
          logger.error({ graph: settings.graph, problems: error.problems }, `${error.message}\nThe running graph stays as it was.`);
          return undefined;
        }
        const changes = await network.reload(next);
        loadedAt = new Date().toISOString();
        logger.info({ graph: settings.graph, changes }, `graph reloaded from ${settings.graph}: ${describeChanges(changes)}`);
        return changes;
      });
      reloading = done.catch(() => undefined);
      return done;
    },
    shutdown() {
      stopping ??= (async () => {
        adapter.refuseNewRequests();
        reclaimer?.stop();
        await network.stop();
        for (const request of adapter.open.drain()) {
          request.respond(statusOf('SHUTTING_DOWN'), errorBody('SHUTTING_DOWN'), { 'retry-after': '5' });
        }
        await adapter.fastify.close();
        await spans?.stop();
        await stores.close();
      })();
      return stopping;
    },
  };
}

/** rss is the process's resident memory in MiB, for the log. */
function rss(): number {
  return Math.round(process.memoryUsage.rss() / 1_048_576);
}
