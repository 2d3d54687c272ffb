import { describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../src/runtime/component.ts';
import { checkGraph } from '../../src/runtime/graph.ts';
import { PacketLoopError } from '../../src/runtime/errors.ts';
import { Network, type Journey } from '../../src/runtime/network.ts';
import { Registry } from '../../src/runtime/registry.ts';
import { testComponents, type TestApp } from '../helpers/test-components.ts';

const registry = new Registry().add(...testComponents);

function silentLogger(): Logger & { errors: unknown[]; warnings: string[] } {
  const errors: unknown[] = [];
  const warnings: string[] = [];
  return { info() {}, warn: (_details, message) => void warnings.push(message), error: (details) => void errors.push(details), errors, warnings };
}

/** chain builds a network: inport "in" → each named component in turn → Collector. */
function chain(components: string[], extra: { capacity?: number; initials?: { data: unknown; process: string; port: string }[] } = {}) {
  const names = components.map((c, i) => `${c}${i}`);
  const processes = Object.fromEntries([...names.map((n, i) => [n, { component: components[i] }]), ['Sink', { component: 'Collector' }]]);
  const hops = [...names, 'Sink'];
  const connections: unknown[] = hops.slice(1).map((tgt, i) => ({
    src: { process: hops[i], port: 'out' },
    tgt: { process: tgt, port: 'in' },
    ...(extra.capacity ? { metadata: { capacity: extra.capacity } } : {}),
  }));
  for (const i of extra.initials ?? []) connections.push({ data: i.data, tgt: { process: i.process, port: i.port } });
  const graph = checkGraph({ processes, connections, inports: { in: { process: hops[0], port: 'in' } } }, 'test', { registry });
  const app: TestApp = { collected: [] };
  const logger = silentLogger();
  const onError = vi.fn();
  const network = new Network({ graph, app, logger, onError });
  return { network, app, logger, onError, send: network.inport('in') };
}

describe('Network', () => {
  it('moves packets from the inport through every process, in order', async () => {
    const { network, app, send } = chain(['PassThrough', 'PassThrough', 'PassThrough', 'PassThrough']);
    await network.start();
    for (let i = 0; i < 500; i++) await send(i);
    await network.stop();
    expect(app.collected).toEqual([...Array(500).keys()]);
  });

  it('keeps flowing when a process throws, answering for the packet it held', async () => {
    const { network, app, logger, onError, send } = chain(['Thrower']);
    await network.start();
    const bad = { fail: 'sync' as const };
    const badLater = { fail: 'async' as const };
    await send({ n: 1 });
    await send(bad);
    await send(badLater);
    await send({ n: 2 });
    await network.stop();
    expect(app.collected).toEqual([{ n: 1 }, { n: 2 }]);
    expect(onError).toHaveBeenCalledTimes(2);
    expect(onError).toHaveBeenNthCalledWith(1, 'Thrower0', expect.objectContaining({ message: 'asked to fail' }), bad);
    expect(onError).toHaveBeenNthCalledWith(2, 'Thrower0', expect.objectContaining({ message: 'asked to fail later' }), badLater);
    expect(logger.errors).toEqual([
      expect.objectContaining({ process: 'Thrower0', component: 'Thrower' }),
      expect.objectContaining({ process: 'Thrower0', component: 'Thrower' }),
    ]);
    expect(network.describe().processes.find((p) => p.name === 'Thrower0')?.errors).toBe(2);
  });

  it('counts packets through each connection and packets waiting', async () => {
    const { network, send } = chain(['PassThrough', 'Delay'], { capacity: 2, initials: [{ data: 50, process: 'Delay1', port: 'ms' }] });
    await network.start();
    for (let i = 0; i < 4; i++) void send(i);
    // Delay1 holds one packet (for 50 ms), its connection buffers two, and PassThrough0 waits with the fourth.
    const during = network.describe().connections;
    expect(during.find((c) => c.to === 'Delay1.in')).toMatchObject({ from: 'PassThrough0.out', capacity: 2, sent: 4, waiting: 3 });
    await network.stop();
    const after = network.describe().connections;
    expect(after.find((c) => c.from === '(in)')).toMatchObject({ to: 'PassThrough0.in', sent: 4, waiting: 0 });
    expect(after.find((c) => c.to === 'Sink.in')).toMatchObject({ sent: 4, waiting: 0 });
  });

  it('holds the sender back while a slow process has no room (backpressure)', async () => {
    const { network, send } = chain(['Delay'], { capacity: 1, initials: [{ data: 2, process: 'Delay0', port: 'ms' }] });
    await network.start();
    // The inport buffers 64; the 66th packet has to wait for Delay0.
    const results = Array.from({ length: 70 }, (_, i) => send(i));
    expect(results.slice(0, 65).every((r) => r === undefined)).toBe(true);
    expect(results.slice(66).every((r) => r instanceof Promise)).toBe(true);
    await network.stop();
  });

  it('delivers initial packets before anything else, even packets sent before the start', async () => {
    const graph = checkGraph(
      {
        inports: { in: { process: 'Rec', port: 'in' } },
        processes: { Rec: { component: 'Recorder' } },
        connections: [
          { data: 'first', tgt: { process: 'Rec', port: 'setting' } },
          { data: 'second', tgt: { process: 'Rec', port: 'setting' } },
        ],
      },
      'initials',
      { registry },
    );
    const app: TestApp = { collected: [] };
    const network = new Network({ graph, app, logger: silentLogger() });
    const early = network.inport('in')('early');
    expect(app.collected).toEqual([]);
    await network.start();
    await early;
    await network.inport('in')('late');
    await network.stop();
    expect(app.collected).toEqual(['setting:first', 'setting:second', 'in:early', 'in:late']);
  });

  it('on stop, drains every packet in flight to the end of the graph', async () => {
    const { network, app, send } = chain(['Delay', 'PassThrough'], { capacity: 4 });
    await network.start();
    const sends = Array.from({ length: 40 }, (_, i) => send(i));
    await network.stop();
    await Promise.all(sends);
    expect(app.collected).toEqual([...Array(40).keys()]);
    expect(() => network.inport('in')(41)).toThrow();
  });

  it('lets a process answer what it holds at stop, before connections close', async () => {
    const { network, app, send } = chain(['Holder', 'PassThrough']);
    await network.start();
    await send('a');
    await send('b');
    await new Promise((resolve) => setImmediate(resolve));
    expect(app.collected).toEqual([]);
    await network.stop();
    expect(app.collected).toEqual(['a', 'b']);
  });

  it('refuses to start twice, and names an undeclared inport', async () => {
    const { network } = chain(['PassThrough']);
    await network.start();
    await expect(network.start()).rejects.toThrow(/already started/);
    expect(() => network.inport('nope')).toThrow("The graph has no inport 'nope'; declare it in \"inports\" of graph.json");
    await network.stop();
  });

  it('fails a packet that goes round a loop past maxHops, answering for it, where it would circle for ever', async () => {
    const graph = checkGraph(
      {
        inports: { in: { process: 'P', port: 'in' } },
        processes: { P: { component: 'PassThrough' }, D: { component: 'Delay' } },
        connections: [
          { src: { process: 'P', port: 'out' }, tgt: { process: 'D', port: 'in' } },
          { src: { process: 'D', port: 'out' }, tgt: { process: 'P', port: 'in' } },
        ],
      },
      'loop',
      { registry },
    );
    const logger = silentLogger();
    const onError = vi.fn();
    const journeyOf = (packet: unknown) => (packet as { journey?: Journey }).journey;
    const network = new Network({ graph, app: { collected: [] }, logger, onError, journeyOf, maxHops: 10, drainMs: 60_000 });
    await network.start();
    const packet = { journey: { hops: 0 } };
    await network.inport('in')(packet);
    await vi.waitFor(() => expect(onError).toHaveBeenCalledTimes(1));
    // Hops 1…10 went P, D, P, D…; the eleventh would have been P again.
    expect(onError).toHaveBeenCalledWith('P', expect.any(PacketLoopError), packet);
    expect((onError.mock.calls[0]?.[1] as Error).message).toBe(
      'a packet reached P.in on its hop 11, more than any way through the graph takes: the graph sends it round a loop; follow its connections on from P.in and break the loop',
    );
    expect(packet.journey.hops).toBe(11);
    expect(logger.errors).toEqual([expect.objectContaining({ process: 'P', err: expect.any(PacketLoopError) })]);
    // Dropped, not passed on: the network drains at once.
    const started = Date.now();
    await network.stop();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(logger.warnings).toEqual([]);
  });

  it('counts every hop of a journey, and lets one within maxHops through', async () => {
    const graph = checkGraph(
      {
        inports: { in: { process: 'P1', port: 'in' } },
        processes: { P1: { component: 'PassThrough' }, P2: { component: 'PassThrough' }, Sink: { component: 'Collector' } },
        connections: [
          { src: { process: 'P1', port: 'out' }, tgt: { process: 'P2', port: 'in' } },
          { src: { process: 'P2', port: 'out' }, tgt: { process: 'Sink', port: 'in' } },
        ],
      },
      'chain',
      { registry },
    );
    const app: TestApp = { collected: [] };
    const onError = vi.fn();
    const journeyOf = (packet: unknown) => (packet as { journey?: Journey }).journey;
    const network = new Network({ graph, app, logger: silentLogger(), onError, journeyOf, maxHops: 3 });
    await network.start();
    const packet = { journey: { hops: 0 } };
    await network.inport('in')(packet);
    await network.stop();
    expect(app.collected).toEqual([packet]);
    expect(packet.journey.hops).toBe(3);
    expect(onError).not.toHaveBeenCalled();
  });

  it('stops at once a graph with a cycle, after the packets in the loop come out', async () => {
    const graph = checkGraph(
      {
        inports: { in: { process: 'Count', port: 'in' } },
        processes: { Count: { component: 'Countdown' }, Back: { component: 'Delay' }, Sink: { component: 'Collector' } },
        connections: [
          { src: { process: 'Count', port: 'again' }, tgt: { process: 'Back', port: 'in' } },
          { src: { process: 'Back', port: 'out' }, tgt: { process: 'Count', port: 'in' } },
          { src: { process: 'Count', port: 'done' }, tgt: { process: 'Sink', port: 'in' } },
        ],
      },
      'cycle',
      { registry },
    );
    const app: TestApp = { collected: [] };
    const logger = silentLogger();
    // A drain that never ends would be waited out for a minute, and warned about.
    const network = new Network({ graph, app, logger, drainMs: 60_000 });
    await network.start();
    await network.inport('in')({ n: 20 });
    await network.stop();
    expect(app.collected).toEqual([{ n: 0 }]);
    expect(logger.warnings).toEqual([]);
  });

  it('lets a process leave work in the background, handling the next packet meanwhile; a failure there counts as the process\'s', async () => {
    const graph = checkGraph({ inports: { in: { process: 'S', port: 'in' } }, processes: { S: { component: 'Slow' } }, connections: [] }, 'slow', { registry });
    const app: TestApp = { collected: [] };
    const onError = vi.fn();
    const network = new Network({ graph, app, logger: silentLogger(), onError });
    await network.start();
    let finish = (): void => undefined;
    const slow = { name: 'slow', wait: new Promise<void>((resolve) => (finish = resolve)) };
    const failing = { name: 'failing', wait: Promise.reject(new Error('failed later')) };
    await network.inport('in')(slow);
    await network.inport('in')({ name: 'quick' });
    expect(app.collected).toEqual(['quick']);
    finish();
    await network.inport('in')(failing);
    await vi.waitFor(() => expect(onError).toHaveBeenCalledWith('S', expect.objectContaining({ message: 'failed later' }), failing));
    expect(app.collected).toEqual(['quick', 'slow']);
    expect(network.describe().processes).toEqual([{ name: 'S', component: 'Slow', errors: 1 }]);
    await network.stop();
  });

  it('waits on stop for work a process left in the background, as for a running handler', async () => {
    const graph = checkGraph({ inports: { in: { process: 'S', port: 'in' } }, processes: { S: { component: 'Slow' } }, connections: [] }, 'slow', { registry });
    const app: TestApp = { collected: [] };
    const network = new Network({ graph, app, logger: silentLogger() });
    await network.start();
    const late = { name: 'late', wait: new Promise<void>((resolve) => setTimeout(resolve, 50)) };
    await network.inport('in')(late);
    await network.stop();
    expect(app.collected).toEqual(['late']);
  });

  it('hands a packet to an idle process at once, within the send', async () => {
    const { network, app, send } = chain(['PassThrough', 'PassThrough']);
    await network.start();
    expect(send('now')).toBeUndefined();
    expect(app.collected).toEqual(['now']);
    await network.stop();
  });

  it('lets a process handle one packet at a time, even one it sends to itself', async () => {
    const graph = checkGraph(
      {
        inports: { in: { process: 'Loop', port: 'a' } },
        processes: { Loop: { component: 'Loopback' } },
        connections: [{ src: { process: 'Loop', port: 'out' }, tgt: { process: 'Loop', port: 'b' } }],
      },
      'loop',
      { registry },
    );
    const app: TestApp = { collected: [] };
    const network = new Network({ graph, app, logger: silentLogger() });
    await network.start();
    await network.inport('in')('x');
    await network.stop();
    expect(app.collected).toEqual(['a:x:start', 'a:x:end', 'b:x']);
  });
});
