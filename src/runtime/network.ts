import { Channel } from './channel.ts';
import type { Component, Logger, Outputs, Process, ProcessContext } from './component.ts';
import { connectionKey, graphChanges, type GraphChanges } from './graph-changes.ts';
import type { Address, GraphDefinition } from './graph.ts';
import { DEFAULT_CAPACITY } from './graph.ts';
import { PacketLoopError } from './errors.ts';
import type { HopLog, Tracing } from './tracing.ts';
import type { PortMap } from './port.ts';

/**
 * Network runs a checked graph: one process per declared process and one
 * bounded channel per connection.
 *
 * A process handles one packet at a time, whichever in-port it came on. A
 * packet sent to a process that is idle is handed to its handler at once,
 * in the sender's turn: no queue, no promise, no await on the hot path.
 * A packet sent to a busy process waits in its connection (FIFO) until the
 * process is done; a full connection makes its sender wait (backpressure).
 * A process that finishes takes the next waiting packet from its in-coming
 * connections in turn.
 *
 * A handler that throws does not stop anything: the error is counted against
 * the process, logged, and passed with the packet to `onError` (which answers
 * the request the packet belongs to), and the next packet flows.
 */

export interface NetworkOptions<C> {
  readonly graph: GraphDefinition;
  /** Shared with every process as `context.app`. */
  readonly app: C;
  readonly logger: Logger;
  /** Called with the packet a handler was holding when it failed. */
  readonly onError?: (process: string, error: unknown, packet: unknown) => void;
  /** How long stop() waits for packets in flight before closing everything. */
  readonly drainMs?: number;
  /** Says which packets are traced, and takes their hops. */
  readonly tracing?: Tracing;
  /**
   * The journey a packet is on, if any (for the chat: its request). The
   * network counts the processes a journey's packets reach; past `maxHops`
   * it takes the packet to be going round a loop in the graph, which would
   * otherwise keep the event loop busy for ever, and fails the process it
   * reached with a PacketLoopError instead of handing the packet over
   * (onError answers the request).
   */
  readonly journeyOf?: (packet: unknown) => Journey | undefined;
  /** Hops a journey may make; default MAX_HOPS. */
  readonly maxHops?: number;
}

/** Journey is what counts a packet's hops: its request, in the chat. */
export interface Journey {
  hops: number;
}

/** Far more hops than a way through a graph takes (the chat's longest, a room listing, takes 8): a journey that long is going round a loop. */
export const MAX_HOPS = 100;

/** NetworkDescription is the running network as `GET B/graph` shows it. */
export interface NetworkDescription {
  readonly name: string;
  readonly processes: { name: string; component: string; errors: number }[];
  readonly connections: { from: string; to: string; capacity: number; sent: number; waiting: number }[];
}

interface Link {
  /** `Src.port`, or `(name)` for an inport. */
  readonly from: string;
  readonly to: Address;
  readonly channel: Channel<unknown>;
  readonly target: Node;
  /** The process that sends into it; undefined for an inport. */
  readonly source: Node | undefined;
  /** The target's handler for the in-port, found once the processes exist. */
  handler: Handler;
}

interface Node {
  readonly name: string;
  readonly component: Component;
  process: Process<PortMap>;
  readonly outputs: Map<string, Link>;
  readonly inputs: Link[];
  /** Handling a packet now (or awaiting one's handler). */
  running: boolean;
  /** Work left running after handlers (ProcessContext.background) not yet settled. */
  background: number;
  /** Where the next round of taking waiting packets starts, for fairness. */
  nextInput: number;
  /**
   * Packets waiting in its inputs, senders held by backpressure included: the
   * sum of their channels' `waiting`, kept here so that a process done with a
   * packet learns in one look that nothing else waits, instead of looking in
   * each of its inputs (the Responder has eleven) after every packet.
   */
  waiting: number;
  errors: number;
  /** For a process a reload removed: its onStop has been called. */
  stopped: boolean;
}

type Handler = (packet: unknown) => void | Promise<void>;

/** How often a reload looks whether the processes and connections it removed are done with what they held. */
const RETIRE_CHECK_MS = 20;

export class Network<C> {
  private graph: GraphDefinition;
  private nodes = new Map<string, Node>();
  private links: Link[] = [];
  private inports = new Map<string, Link>();
  /** Processes a reload removed that still finish what they hold. */
  private readonly retiring = new Set<Node>();
  /** Connections a reload removed (or delivered settings through) that may still hold packets for their target. */
  private retired: Link[] = [];
  private retireCheck: NodeJS.Timeout | undefined;
  /** When each traced packet that had to wait was left in its connection. */
  private readonly queuedAt = new WeakMap<object, number>();
  /** The traced hops running now, innermost last: a process's time excludes the hops nested in it. */
  private readonly hops: { nested: number }[] = [];
  private state: 'built' | 'running' | 'stopping' | 'stopped' = 'built';

  private readonly maxHops: number;

  constructor(private readonly options: NetworkOptions<C>) {
    this.graph = options.graph;
    this.maxHops = options.maxHops ?? MAX_HOPS;
    const created = this.install(options.graph, new Map());
    for (const node of created) node.process = node.component.create(this.contextFor(node));
    this.bindHandlers();
  }

  /**
   * start delivers the initial packets, in graph order, then lets packets
   * flow. A setting a process refuses stops the start.
   */
  async start(): Promise<void> {
    if (this.state !== 'built') throw new Error(`Network ${this.graph.name} was already started`);
    for (const initial of this.graph.initials) {
      await this.handler(initial.tgt)(initial.data);
    }
    this.state = 'running';
    // Packets sent before the start (none, usually) have waited their turn.
    for (const node of this.nodes.values()) {
      if (!node.running) {
        node.running = true;
        this.resume(node);
      }
    }
  }

  /**
   * inport returns the function that sends packets into the named inport.
   * Like a channel's send, it returns a promise only while the inport is full.
   * It follows the inport through reloads.
   */
  inport(name: string): (packet: unknown) => Promise<void> | undefined {
    if (!this.inports.has(name)) {
      throw new Error(`The graph has no inport '${name}'; declare it in "inports" of graph.json`);
    }
    return (packet) => {
      const link = this.inports.get(name);
      if (link === undefined) throw new Error(`The graph no longer has inport '${name}'`);
      return this.deliver(link, packet);
    };
  }

  /**
   * reload makes a checked graph the running one without dropping anything.
   * Processes that keep their name and component keep their process, and
   * so their state; changed settings are delivered to them like any packet,
   * in turn. New processes start fresh, their initial packets before
   * anything else. Connections that stay keep their packets; a removed
   * connection keeps its packets for its target, which handles them; a
   * removed process handles what waits for it, then answers what it holds
   * (onStop) and goes. Nothing in flight is lost or handled twice.
   */
  async reload(next: GraphDefinition): Promise<GraphChanges> {
    if (this.state !== 'running') throw new Error(`Network ${this.graph.name} is not running; start it before reloading`);
    const changes = graphChanges(this.graph, next);
    const kept = new Map<string, Node>();
    for (const def of next.processes) {
      const node = this.nodes.get(def.name);
      if (node !== undefined && node.component === def.component) kept.set(def.name, node);
    }
    for (const node of this.nodes.values()) {
      if (kept.get(node.name) !== node) this.retiring.add(node);
    }
    const before = [...this.links, ...this.inports.values()];
    const created = this.install(next, kept);
    const current = new Set([...this.links, ...this.inports.values()]);
    for (const link of before) if (!current.has(link)) this.retired.push(link);
    this.graph = next;
    // Until their initial packets are in, packets for new processes wait in their connections.
    for (const node of created) {
      node.running = true;
      node.process = node.component.create(this.contextFor(node));
    }
    this.bindHandlers();
    if (changes.connected.length + changes.disconnected.length > 0) {
      for (const node of kept.values()) {
        try {
          node.process.onRewire?.();
        } catch (error) {
          this.fail(node, error, undefined);
        }
      }
    }
    for (const change of changes.settings) this.deliverSetting(change.port, next);
    this.watchRetired();
    for (const node of created) {
      for (const initial of next.initials) {
        if (initial.tgt.process !== node.name) continue;
        try {
          await this.handler(initial.tgt)(initial.data);
        } catch (error) {
          this.fail(node, error, undefined);
        }
      }
      this.resume(node);
    }
    return changes;
  }

  /**
   * install builds the nodes and connections of a graph, reusing the given
   * nodes, and the connections between reused nodes that stay as they were;
   * it returns the nodes it made, whose processes are still to be created.
   */
  private install(graph: GraphDefinition, kept: ReadonlyMap<string, Node>): Node[] {
    const reusable = new Map<string, Link>();
    for (const link of [...this.links, ...this.inports.values()]) reusable.set(connectionKey(link.from, link.to), link);
    const nodes = new Map<string, Node>();
    const created: Node[] = [];
    for (const def of graph.processes) {
      let node = kept.get(def.name);
      if (node === undefined) {
        node = { name: def.name, component: def.component, process: {} as Process<PortMap>, outputs: new Map(), inputs: [], running: false, background: 0, nextInput: 0, waiting: 0, errors: 0, stopped: false };
        created.push(node);
      } else {
        node.outputs.clear();
      }
      nodes.set(def.name, node);
    }
    const connect = (from: string, to: Address, capacity: number, source: Node | undefined): Link => {
      const target = nodes.get(to.process);
      if (target === undefined) throw new Error(`Graph names process '${to.process}' but never declares it`);
      const old = reusable.get(connectionKey(from, to));
      if (old !== undefined && old.target === target && old.source === source && old.channel.capacity === capacity) return old;
      const link: Link = { from, to, channel: new Channel<unknown>(capacity), target, source, handler: () => undefined };
      target.inputs.push(link);
      return link;
    };
    const links: Link[] = [];
    for (const def of graph.connections) {
      const source = nodes.get(def.src.process);
      if (source === undefined) throw new Error(`Graph names process '${def.src.process}' but never declares it`);
      const link = connect(`${def.src.process}.${def.src.port}`, def.tgt, def.capacity, source);
      source.outputs.set(def.src.port, link);
      links.push(link);
    }
    const inports = new Map<string, Link>();
    for (const [name, to] of Object.entries(graph.inports)) inports.set(name, connect(`(${name})`, to, DEFAULT_CAPACITY, undefined));
    this.nodes = nodes;
    this.links = links;
    this.inports = inports;
    return created;
  }

  private contextFor(node: Node): ProcessContext<PortMap, C> {
    return {
      name: node.name,
      out: this.outputs(node),
      app: this.options.app,
      background: (work, packet) => {
        node.background++;
        // One reaction for both ends: this runs for every store call with Redis.
        work.then(
          () => void node.background--,
          (error: unknown) => {
            node.background--;
            this.fail(node, error, packet);
          },
        );
      },
    };
  }

  /** bindHandlers finds each new connection's handler, once its target's process exists. */
  private bindHandlers(): void {
    for (const link of [...this.links, ...this.inports.values()]) link.handler = this.handler(link.to);
  }

  /** deliverSetting sends a changed setting to a process that stays, through a connection of its own, in turn with its other packets. */
  private deliverSetting(port: string, graph: GraphDefinition): void {
    const dot = port.indexOf('.');
    const to: Address = { process: port.slice(0, dot), port: port.slice(dot + 1) };
    const values = graph.initials.filter((i) => i.tgt.process === to.process && i.tgt.port === to.port).map((i) => i.data);
    const target = this.nodes.get(to.process);
    if (target === undefined || values.length === 0) return;
    const link: Link = { from: '(reload)', to, channel: new Channel<unknown>(values.length), target, source: undefined, handler: this.handler(to) };
    target.inputs.push(link);
    this.retired.push(link);
    for (const value of values) void this.deliver(link, value);
  }

  /** watchRetired looks, until none is left, whether removed processes and connections are done, and lets them go. */
  private watchRetired(): void {
    this.retireCheck ??= setInterval(() => {
      this.sweepRetired();
      if (this.retiring.size === 0 && this.retired.length === 0) {
        clearInterval(this.retireCheck);
        this.retireCheck = undefined;
      }
    }, RETIRE_CHECK_MS).unref();
  }

  private sweepRetired(): void {
    for (const node of this.retiring) {
      if (node.running || node.background > 0 || node.inputs.some((l) => l.channel.waiting > 0)) continue;
      if (!node.stopped) {
        node.stopped = true;
        void this.stopProcess(node);
      } else {
        this.retiring.delete(node);
      }
    }
    this.retired = this.retired.filter((link) => {
      const done = link.channel.waiting === 0 && !(link.source !== undefined && this.retiring.has(link.source));
      if (done) {
        const inputs = link.target.inputs;
        inputs.splice(inputs.indexOf(link), 1);
        link.target.nextInput = 0;
      }
      return !done;
    });
  }

  /** stopProcess lets a process answer what it holds. */
  private async stopProcess(node: Node): Promise<void> {
    try {
      await node.process.onStop?.();
    } catch (error) {
      this.fail(node, error, undefined);
    }
  }

  /**
   * stop lets every process answer what it holds (onStop), closes the
   * inports, waits until no packet is waiting in any connection and no
   * process is running (so what was in flight reaches the end of the graph,
   * cycles included), then closes every connection.
   */
  async stop(): Promise<void> {
    if (this.state !== 'running') return;
    this.state = 'stopping';
    clearInterval(this.retireCheck);
    for (const node of [...this.nodes.values(), ...this.retiring]) {
      if (node.stopped) continue;
      node.stopped = true;
      await this.stopProcess(node);
    }
    for (const link of this.inports.values()) link.channel.close();
    const deadline = Date.now() + (this.options.drainMs ?? 5_000);
    while (!this.idle() && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
    if (!this.idle()) {
      this.options.logger.warn({ graph: this.graph.name }, 'network did not drain in time; closing every connection');
    }
    for (const link of [...this.links, ...this.retired]) link.channel.close();
    this.state = 'stopped';
  }

  /** idle is true when no packet waits in any connection and no handler, nor work it left running, is. */
  private idle(): boolean {
    for (const node of [...this.nodes.values(), ...this.retiring]) if (node.running || node.background > 0) return false;
    for (const link of [...this.inports.values(), ...this.links, ...this.retired]) if (link.channel.waiting > 0) return false;
    return true;
  }

  describe(): NetworkDescription {
    return {
      name: this.graph.name,
      processes: [...this.nodes.values()].map((n) => ({ name: n.name, component: n.component.name, errors: n.errors })),
      connections: [...this.inports.values(), ...this.links].map((l) => ({
        from: l.from,
        to: `${l.to.process}.${l.to.port}`,
        capacity: l.channel.capacity,
        sent: l.channel.sent,
        waiting: l.channel.waiting,
      })),
    };
  }

  private outputs(node: Node): Outputs<PortMap> {
    const logger = this.options.logger;
    return {
      send: (port, packet) => {
        const link = node.outputs.get(port);
        if (link === undefined) {
          throw new Error(`${node.name}.${port} is not connected; connect it in graph.json or check isConnected('${port}') first`);
        }
        if (link.channel.isClosed) {
          // A late timer after stop(): the adapter answers what is left unanswered.
          logger.warn({ process: node.name, port }, 'packet sent after the network stopped was dropped');
          return undefined;
        }
        return this.deliver(link, packet);
      },
      isConnected: (port) => node.outputs.has(port),
    };
  }

  private handler(address: Address): Handler {
    const node = this.nodes.get(address.process);
    if (node === undefined) throw new Error(`Graph names process '${address.process}' but never declares it`);
    const handler = (node.process as Record<string, Handler | undefined>)[address.port];
    if (typeof handler !== 'function') {
      throw new Error(`Component ${node.component.name} declares in-port '${address.port}' but its process has no handler for it`);
    }
    return handler;
  }

  /**
   * deliver hands a packet to an idle process at once, or leaves it waiting
   * in the connection. Until start() nothing runs: initial packets go first.
   */
  private deliver(link: Link, packet: unknown): Promise<void> | undefined {
    const { target, channel } = link;
    if (target.running || channel.waiting > 0 || this.state === 'built') {
      if (this.options.tracing !== undefined && this.options.tracing.active > 0) this.queued(packet);
      const sent = channel.send(packet);
      target.waiting++;
      return sent;
    }
    if (channel.isClosed) return channel.send(packet); // throws ChannelClosedError
    channel.countHandedOver();
    target.running = true;
    this.handle(target, link, packet);
    return undefined;
  }

  /** handle runs one packet, then every packet that waits for the process, until none is left. */
  private handle(node: Node, link: Link, packet: unknown): void {
    for (;;) {
      const pending = this.invoke(node, link, packet);
      if (pending !== undefined) {
        void pending.then(() => this.resume(node));
        return;
      }
      const next = this.waitingFor(node);
      if (next === undefined) break;
      link = next;
      packet = take(node, link);
    }
    node.running = false;
  }

  private resume(node: Node): void {
    const link = this.waitingFor(node);
    if (link === undefined) node.running = false;
    else this.handle(node, link, take(node, link));
  }

  /** waitingFor finds the next connection of a process with a packet waiting, visiting them in turn. */
  private waitingFor(node: Node): Link | undefined {
    if (node.waiting === 0) return undefined;
    const { inputs } = node;
    for (let i = 0; i < inputs.length; i++) {
      const link = inputs[(node.nextInput + i) % inputs.length] as Link;
      if (link.channel.waiting > 0) {
        node.nextInput = (node.nextInput + i + 1) % inputs.length;
        return link;
      }
    }
    return undefined;
  }

  /** invoke runs a handler, timing it when its packet belongs to a traced request (a clock only then). */
  private invoke(node: Node, link: Link, packet: unknown): Promise<void> | undefined {
    const journey = this.options.journeyOf?.(packet);
    if (journey !== undefined && ++journey.hops > this.maxHops) {
      this.fail(node, new PacketLoopError(`${node.name}.${link.to.port}`, journey.hops), packet);
      return undefined;
    }
    const tracing = this.options.tracing;
    if (tracing !== undefined && tracing.active > 0) {
      const log = tracing.of(packet);
      if (log !== undefined) return this.invokeTraced(node, link, packet, log);
    }
    return this.run(node, link, packet);
  }

  /** run runs a handler; only an async handler costs an await, and a failure is the process's. */
  private run(node: Node, link: Link, packet: unknown): Promise<void> | undefined {
    try {
      const result = link.handler(packet);
      if (result !== undefined) return result.catch((error: unknown) => this.fail(node, error, packet));
    } catch (error) {
      this.fail(node, error, packet);
    }
    return undefined;
  }

  /** invokeTraced runs a handler as invoke does, timing the hop for its trace. */
  private invokeTraced(node: Node, link: Link, packet: unknown, log: HopLog): Promise<void> | undefined {
    const started = performance.now();
    let waitMs = 0;
    if (typeof packet === 'object' && packet !== null) {
      // A packet handed over at once waited nothing, whatever it waited at an earlier hop.
      const queued = this.queuedAt.get(packet);
      if (queued !== undefined) waitMs = started - queued;
      this.queuedAt.delete(packet);
    }
    // In the trace in the order the hops began; its time is known once the handler is done.
    const hop = { process: node.name, port: link.to.port, waitMs, ms: 0, at: started };
    log.add(hop);
    const nesting = { nested: 0 };
    this.hops.push(nesting);
    const pending = this.run(node, link, packet);
    this.hops.pop();
    const outer = this.hops.at(-1);
    if (outer !== undefined) outer.nested += performance.now() - started;
    const done = (): void => {
      hop.ms = performance.now() - started - nesting.nested;
    };
    if (pending === undefined) {
      done();
      return undefined;
    }
    return pending.then(done);
  }

  /** queued notes when a traced packet was left waiting in a connection. */
  private queued(packet: unknown): void {
    if (typeof packet === 'object' && packet !== null && this.options.tracing?.of(packet) !== undefined) this.queuedAt.set(packet, performance.now());
  }

  private fail(node: Node, error: unknown, packet: unknown): void {
    node.errors++;
    this.options.logger.error({ process: node.name, component: node.component.name, err: error }, `process ${node.name} failed`);
    try {
      this.options.onError?.(node.name, error, packet);
    } catch (nested) {
      this.options.logger.error({ process: node.name, err: nested }, 'onError failed');
    }
  }
}

/** take takes a connection's next waiting packet for its process, which then has one fewer waiting. */
function take(node: Node, link: Link): unknown {
  node.waiting--;
  return link.channel.takeWaiting();
}
