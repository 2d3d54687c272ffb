import { performance } from 'node:perf_hooks';
import { defineComponent, type Logger, type Outputs } from '../src/runtime/component.ts';
import { checkGraph } from '../src/runtime/graph.ts';
import { Network } from '../src/runtime/network.ts';
import { port, type PortMap } from '../src/runtime/port.ts';
import { Registry } from '../src/runtime/registry.ts';
import type { Tracing } from '../src/runtime/tracing.ts';
import { median } from './samples.ts';
import type { FlowJob, FlowResult } from './types.ts';

/**
 * Flow overhead: what the FBP runtime itself costs per packet. Packets go
 * from an inport through a chain of pass-through processes into a sink, over
 * the runtime's channels; then the very same handlers are wired by direct
 * calls. The difference is what the network does per hop: finding the
 * connection, counting the packet, and handing it to the idle process (or
 * queueing it in the channel when the process is busy).
 */

interface Packet {
  readonly seq: number;
}

const STAGES = 4;

const passThrough = defineComponent({
  name: 'PassThrough',
  description: 'Sends each packet on unchanged',
  inPorts: { in: port<Packet>('packet', 'Any packet', { required: true }) },
  outPorts: { out: port<Packet>('packet', 'The same packet') },
  create: ({ out }) => ({ in: (packet) => out.send('out', packet) }),
});

/** sinkComponent counts packets for the caller: the count lives in the caller's closure. */
function sinkComponent(onPacket: (packet: Packet) => void) {
  return defineComponent({
    name: 'Sink',
    description: 'Counts packets',
    inPorts: { in: port<Packet>('packet', 'Any packet', { required: true }) },
    outPorts: {},
    create: () => ({ in: onPacket }),
  });
}

const quiet: Logger = { info: () => {}, warn: () => {}, error: () => {} };

function chainGraph(): Record<string, unknown> {
  const stages = Array.from({ length: STAGES }, (_, i) => `P${i + 1}`);
  const names = [...stages, 'Sink'];
  return {
    properties: { name: 'bench-chain' },
    inports: { in: { process: 'P1', port: 'in' } },
    processes: Object.fromEntries(names.map((name) => [name, { component: name === 'Sink' ? 'Sink' : 'PassThrough' }])),
    connections: stages.map((name, i) => ({ src: { process: name, port: 'out' }, tgt: { process: names[i + 1], port: 'in' } })),
  };
}

/** Counter resolves once it has seen `target` packets. */
class Counter {
  seen = 0;
  checksum = 0;
  private target = 0;
  private resolve: () => void = () => {};

  expect(target: number): Promise<void> {
    this.seen = 0;
    this.target = target;
    return new Promise((resolve) => (this.resolve = resolve));
  }

  readonly onPacket = (packet: Packet): void => {
    this.checksum += packet.seq; // keeps the packets observable, so no stage can be optimised away
    if (++this.seen === this.target) this.resolve();
  };
}

/** pump sends `packets` packets, awaiting only when the entry is full (backpressure). */
async function pump(send: (packet: Packet) => Promise<void> | undefined, packets: number, done: Promise<void>): Promise<number> {
  const started = performance.now();
  for (let seq = 0; seq < packets; seq++) {
    const full = send({ seq });
    if (full !== undefined) await full;
  }
  await done;
  return (packets * 1000) / (performance.now() - started);
}

/**
 * Tracing as the app has it, for packets none of which is traced: `busy`
 * says another request is being traced meanwhile, so every hop asks.
 */
function untracedPackets(busy: boolean): Tracing {
  return { active: busy ? 1 : 0, of: () => undefined };
}

async function throughNetwork(packets: number, tracing?: Tracing): Promise<number> {
  const counter = new Counter();
  const registry = new Registry().add(passThrough, sinkComponent(counter.onPacket));
  const graph = checkGraph(chainGraph(), 'bench-chain', { registry });
  const network = new Network({ graph, app: undefined, logger: quiet, ...(tracing === undefined ? {} : { tracing }) });
  await network.start();
  const rate = await pump(network.inport('in') as (packet: Packet) => Promise<void> | undefined, packets, counter.expect(packets));
  await network.stop();
  return rate;
}

async function throughDirectCalls(packets: number): Promise<number> {
  const counter = new Counter();
  // The same handlers, each created with outputs that call the next handler directly.
  let next: (packet: Packet) => void | Promise<void> = counter.onPacket;
  for (let i = 0; i < STAGES; i++) {
    const target = next;
    const out: Outputs<PortMap> = { send: (_port, packet) => void target(packet as Packet), isConnected: () => true };
    next = passThrough.create({ name: `P${STAGES - i}`, out, app: undefined, background: () => undefined }).in;
  }
  const first = next;
  return pump((packet) => void first(packet), packets, counter.expect(packets));
}

/** measureFlowOverhead runs each way once to warm up, then `runs` times, and keeps the medians. */
export async function measureFlowOverhead(job: FlowJob): Promise<FlowResult> {
  await throughNetwork(Math.ceil(job.packets / 4));
  await throughDirectCalls(Math.ceil(job.packets / 4));
  const network: number[] = [];
  const direct: number[] = [];
  const idle: number[] = [];
  const busy: number[] = [];
  for (let run = 0; run < job.runs; run++) {
    network.push(await throughNetwork(job.packets));
    direct.push(await throughDirectCalls(job.packets));
    idle.push(await throughNetwork(job.packets, untracedPackets(false)));
    busy.push(await throughNetwork(job.packets, untracedPackets(true)));
  }
  const networkPerSec = median(network);
  const directPerSec = median(direct);
  return {
    kind: 'flow',
    packets: job.packets,
    stages: STAGES,
    networkPerSec,
    directPerSec,
    tracingIdlePerSec: median(idle),
    tracingBusyPerSec: median(busy),
    nsPerHop: ((1 / networkPerSec - 1 / directPerSec) * 1e9) / STAGES,
  };
}
