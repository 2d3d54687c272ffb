import { componentFor } from '../runtime/component.ts';
import type { NetworkDescription } from '../runtime/network.ts';
import type { Meters } from '../metrics/meters.ts';
import type { Scrape } from '../metrics/prometheus.ts';
import type { Settings } from './settings.ts';
import type { FinishedTrace } from '../tracing/traces.ts';
import type { Stores } from './stores.ts';

/**
 * AppContext is what the chat application shares with every process of its
 * graph: the checked settings, the clock and a read-only view of the running
 * network.
 */
export interface AppContext {
  readonly settings: Settings;
  /**
   * now is the clock every rule about time reads (expiry, presence windows,
   * rate limits, message times), in ms since the Unix epoch: Date.now in
   * production, a clock the test moves in tests of those rules.
   */
  readonly now: () => number;
  /** Where shared state lives: memory, or Redis (REDIS_URL). */
  readonly stores: Stores;
  /** Where components count what the metrics show. */
  readonly meters: Meters;
  describeNetwork(): GraphView;
  /** The metrics, in Prometheus's text format. */
  scrape(): Promise<Scrape>;
  /** The requests traced lately, for GET B/graph/traces. */
  readonly traces: { recent(): readonly FinishedTrace[] };
}

/** GraphView is GET B/graph: the running network, the file it came from and when it was (re)loaded. */
export interface GraphView extends NetworkDescription {
  readonly file: string;
  /** ISO 8601. */
  readonly loadedAt: string;
}

/** defineChatComponent declares a component of the chat graph. */
export const defineChatComponent = componentFor<AppContext>();
