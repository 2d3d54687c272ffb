import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/runtime/component.ts';
import { checkGraph } from '../../src/runtime/graph.ts';
import { Network } from '../../src/runtime/network.ts';
import { Registry } from '../../src/runtime/registry.ts';
import type { Hop, Tracing } from '../../src/runtime/tracing.ts';
import { testComponents, type TestApp } from '../helpers/test-components.ts';

const registry = new Registry().add(...testComponents);
const quiet: Logger = { info() {}, warn() {}, error() {} };

/** A packet of these tests: traced when it carries hops to fill. */
interface Traced {
  readonly n: number;
  readonly hops?: Hop[];
}

function tracing(): Tracing & { active: number; looked: number } {
  return {
    active: 0,
    looked: 0,
    of(packet) {
      this.looked++;
      const hops = (packet as Traced).hops;
      return hops === undefined ? undefined : { add: (hop) => void hops.push(hop) };
    },
  };
}

async function chain(delayMs: number) {
  const graph = checkGraph(
    {
      processes: { In: { component: 'PassThrough' }, Slow: { component: 'Delay' }, Sink: { component: 'Collector' } },
      connections: [
        { src: { process: 'In', port: 'out' }, tgt: { process: 'Slow', port: 'in' } },
        { src: { process: 'Slow', port: 'out' }, tgt: { process: 'Sink', port: 'in' } },
        { data: delayMs, tgt: { process: 'Slow', port: 'ms' } },
      ],
      inports: { in: { process: 'In', port: 'in' } },
    },
    'test',
    { registry },
  );
  const app: TestApp = { collected: [] };
  const traces = tracing();
  const network = new Network({ graph, app, logger: quiet, tracing: traces });
  await network.start();
  return { network, app, traces, send: network.inport('in') };
}

describe('tracing in the network', () => {
  it('records each hop of a traced packet: process, in-port, time waiting in the connection, time in the process', async () => {
    const { network, traces, send } = await chain(30);
    traces.active = 2;
    const first: Traced = { n: 1, hops: [] };
    const second: Traced = { n: 2, hops: [] };
    await send(first);
    await send(second);
    await network.stop();
    expect(first.hops?.map((h) => `${h.process}.${h.port}`)).toEqual(['In.in', 'Slow.in', 'Sink.in']);
    expect(second.hops?.map((h) => `${h.process}.${h.port}`)).toEqual(['In.in', 'Slow.in', 'Sink.in']);
    const slow = (t: Traced) => t.hops?.find((h) => h.process === 'Slow') as Hop;
    // The first found Slow idle; the second waited in its connection while Slow held the first.
    expect(slow(first).waitMs).toBe(0);
    expect(slow(second).waitMs).toBeGreaterThanOrEqual(20);
    expect(slow(first).ms).toBeGreaterThanOrEqual(25);
    // In handed each packet to Slow within its own turn: Slow's time is not In's.
    expect(first.hops?.[0]?.ms).toBeLessThan(20);
  });

  it('looks at no packet while no traced request is in flight', async () => {
    const { network, traces, send } = await chain(0);
    for (let n = 0; n < 10; n++) await send({ n });
    await network.stop();
    expect(traces.looked).toBe(0);
  });

  it('records nothing for packets that are not traced while others are', async () => {
    const { network, app, traces, send } = await chain(0);
    traces.active = 1;
    await send({ n: 1 });
    await network.stop();
    expect(app.collected).toEqual([{ n: 1 }]);
    expect(traces.looked).toBeGreaterThan(0);
  });
});
