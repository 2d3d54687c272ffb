import type { AppContext } from '../../src/app/app-context.ts';
import type { Component, Process } from '../../src/runtime/component.ts';
import { settingFromText } from '../../src/runtime/graph.ts';
import type { PortMap } from '../../src/runtime/port.ts';
import { readSettings, type Settings } from '../../src/app/settings.ts';
import { memoryStores, type Stores } from '../../src/app/stores.ts';
import { NO_METERS, type Meters } from '../../src/metrics/meters.ts';

/**
 * Harness runs one component alone: packets go into its in-ports by name and
 * whatever it sends comes out in `sent`, per out-port. No network, no server.
 */
export interface Harness {
  readonly sent: Record<string, unknown[]>;
  /** Sends a packet into an in-port and waits until the handler, and any work it left running, is done with it. */
  send(port: string, packet: unknown): Promise<void>;
  /** Rewires its out-ports as a reload would: these are now the unconnected ones, and the process hears of it (onRewire). */
  rewire(unconnected: string[]): void;
  stop(): Promise<void>;
}

interface HarnessOptions {
  env?: Record<string, string>;
  /** Out-ports to treat as unconnected. */
  unconnected?: string[];
  /** The clock of the rules about time; by default whatever Date.now is when read (vi's fake timers included). */
  now?: () => number;
  /** Where the component keeps shared state; by default in memory, its own. */
  stores?: Stores;
  /** Where it counts what the metrics show; by default nowhere. */
  meters?: Meters;
}

export function harness(component: Component, options: HarnessOptions = {}): Harness {
  const settings: Settings = readSettings({ ...options.env });
  const sent: Record<string, unknown[]> = {};
  for (const port of Object.keys(component.outPorts)) sent[port] = [];
  let unconnected = new Set(options.unconnected ?? []);
  const now = options.now ?? (() => Date.now());
  const app: AppContext = {
    settings,
    now,
    stores: options.stores ?? memoryStores(settings, now),
    describeNetwork: () => ({ name: 'harness', processes: [], connections: [], file: 'graph.json', loadedAt: '2026-01-01T00:00:00.000Z' }),
    meters: options.meters ?? NO_METERS,
    scrape: async () => ({ contentType: 'text/plain', text: '' }),
    traces: { recent: () => [] },
  };
  // Work a process left running after its handler: send() waits for it too.
  const pending: Promise<unknown>[] = [];
  const process = component.create({
    name: component.name,
    app,
    background: (work) => void pending.push(work),
    out: {
      send(port, packet) {
        if (!(port in sent) || unconnected.has(port)) throw new Error(`${component.name}.${port} is not connected`);
        sent[port]?.push(packet);
        return undefined;
      },
      isConnected: (port) => port in sent && !unconnected.has(port),
    },
  }) as Process<PortMap>;
  // As the network does: every setting port gets the environment's value (TUNING) or its default first.
  for (const [port, spec] of Object.entries(component.inPorts)) {
    if (spec.default === undefined) continue;
    const tuned = settings.tuning.find((t) => t.component === component.name && t.port === port);
    const value = tuned === undefined ? spec.default : settingFromText(tuned.raw, spec.datatype);
    void process[port]?.(value);
  }
  return {
    sent,
    async send(port, packet) {
      const handler = process[port];
      if (typeof handler !== 'function') throw new Error(`${component.name} has no in-port ${port}`);
      await handler(packet);
      await Promise.all(pending.splice(0));
    },
    rewire(now) {
      unconnected = new Set(now);
      process.onRewire?.();
    },
    async stop() {
      await process.onStop?.();
    },
  };
}
