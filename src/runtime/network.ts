import { Channel } from './channel.ts';
import type { Logger, Outputs, Process, ProcessContext } from './component.ts';
import type { Address, ConnectionDefinition, GraphDefinition } from './graph.ts';
import { DEFAULT_CAPACITY } from './graph.ts';
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
}

/** NetworkDescription is the running network as `GET B/graph` shows it. */
export interface NetworkDescription {
  readonly name: string;
  readonly processes: { name: string; component: string; errors: number }[];
  readonly connections: { from: string; to: string; capacity: number; sent: number; waiting: number }[];
}

interface Link {
  readonly from: string;
  readonly to: Address;
  readonly channel: Channel<unknown>;
  readonly target: Node;
  /** The target's handler for the in-port, found once the processes exist. */
  handler: Handler;
}

interface Node {
  readonly name: string;
  readonly component: string;
  process: Process<PortMap>;
  readonly outputs: Map<string, Link>;
  readonly inputs: Link[];
  /** Handling a packet now (or awaiting one's handler). */
  running: boolean;
  /** Work left running after handlers (ProcessContext.background) not yet settled. */
  background: number;
  /** Where the next round of taking waiting packets starts, for fairness. */
  nextInput: number;
  errors: number;
}

type Handler = (packet: unknown) => void | Promise<void>;

export class Network<C> {
  private readonly nodes = new Map<string, Node>();
  private readonly links: Link[] = [];
  private readonly inports = new Map<string, Link>();
  private state: 'built' | 'running' | 'stopping' | 'stopped' = 'built';

  constructor(private readonly options: NetworkOptions<C>) {
    const { graph } = options;
    for (const def of graph.processes) {
      this.nodes.set(def.name, {
        name: def.name,
        component: def.component.name,
        process: {} as Process<PortMap>,
        outputs: new Map(),
        inputs: [],
        running: false,
        background: 0,
        nextInput: 0,
        errors: 0,
      });
    }
    for (const def of graph.connections) this.connect(def);
    for (const [name, to] of Object.entries(graph.inports)) {
      const link = this.link(`(${name})`, to, DEFAULT_CAPACITY);
      this.inports.set(name, link);
    }
    for (const def of graph.processes) {
      const node = this.node(def.name);
      const context: ProcessContext<PortMap, C> = {
        name: def.name,
        out: this.outputs(node),
        app: options.app,
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
      node.process = def.component.create(context);
    }
    for (const link of [...this.links, ...this.inports.values()]) link.handler = this.handler(link.to);
  }

  /**
   * start delivers the initial packets, in graph order, then lets packets
   * flow. A setting a process refuses stops the start.
   */
  async start(): Promise<void> {
    if (this.state !== 'built') throw new Error(`Network ${this.options.graph.name} was already started`);
    for (const initial of this.options.graph.initials) {
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
   */
  inport(name: string): (packet: unknown) => Promise<void> | undefined {
    const link = this.inports.get(name);
    if (link === undefined) {
      throw new Error(`The graph has no inport '${name}'; declare it in "inports" of graph.json`);
    }
    return (packet) => this.deliver(link, packet);
  }

  get running(): boolean {
    return this.state === 'running';
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
    for (const node of this.nodes.values()) {
      try {
        await node.process.onStop?.();
      } catch (error) {
        this.fail(node, error, undefined);
      }
    }
    for (const link of this.inports.values()) link.channel.close();
    const deadline = Date.now() + (this.options.drainMs ?? 5_000);
    while (!this.idle() && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
    if (!this.idle()) {
      this.options.logger.warn({ graph: this.options.graph.name }, 'network did not drain in time; closing every connection');
    }
    for (const link of this.links) link.channel.close();
    this.state = 'stopped';
  }

  /** idle is true when no packet waits in any connection and no handler, nor work it left running, is. */
  private idle(): boolean {
    for (const node of this.nodes.values()) if (node.running || node.background > 0) return false;
    for (const link of this.inports.values()) if (link.channel.waiting > 0) return false;
    for (const link of this.links) if (link.channel.waiting > 0) return false;
    return true;
  }

  describe(): NetworkDescription {
    return {
      name: this.options.graph.name,
      processes: [...this.nodes.values()].map((n) => ({ name: n.name, component: n.component, errors: n.errors })),
      connections: [...this.inports.values(), ...this.links].map((l) => ({
        from: l.from,
        to: `${l.to.process}.${l.to.port}`,
        capacity: l.channel.capacity,
        sent: l.channel.sent,
        waiting: l.channel.waiting,
      })),
    };
  }

  private connect(def: ConnectionDefinition): void {
    const link = this.link(`${def.src.process}.${def.src.port}`, def.tgt, def.capacity);
    this.node(def.src.process).outputs.set(def.src.port, link);
  }

  private link(from: string, to: Address, capacity: number): Link {
    const target = this.node(to.process);
    const link: Link = { from, to, channel: new Channel<unknown>(capacity), target, handler: () => undefined };
    target.inputs.push(link);
    if (!from.startsWith('(')) this.links.push(link);
    return link;
  }

  private node(name: string): Node {
    const node = this.nodes.get(name);
    if (node === undefined) throw new Error(`Graph names process '${name}' but never declares it`);
    return node;
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
    const node = this.node(address.process);
    const handler = (node.process as Record<string, Handler | undefined>)[address.port];
    if (typeof handler !== 'function') {
      throw new Error(`Component ${node.component} declares in-port '${address.port}' but its process has no handler for it`);
    }
    return handler;
  }

  /**
   * deliver hands a packet to an idle process at once, or leaves it waiting
   * in the connection. Until start() nothing runs: initial packets go first.
   */
  private deliver(link: Link, packet: unknown): Promise<void> | undefined {
    const { target, channel } = link;
    if (target.running || channel.waiting > 0 || this.state === 'built') return channel.send(packet);
    if (channel.isClosed) return channel.send(packet); // throws ChannelClosedError
    channel.countHandedOver();
    target.running = true;
    this.handle(target, link.handler, packet);
    return undefined;
  }

  /** handle runs one packet, then every packet that waits for the process, until none is left. */
  private handle(node: Node, handler: Handler, packet: unknown): void {
    for (;;) {
      const pending = this.invoke(node, handler, packet);
      if (pending !== undefined) {
        void pending.then(() => this.resume(node));
        return;
      }
      const link = this.waitingFor(node);
      if (link === undefined) break;
      handler = link.handler;
      packet = link.channel.takeWaiting();
    }
    node.running = false;
  }

  private resume(node: Node): void {
    const link = this.waitingFor(node);
    if (link === undefined) node.running = false;
    else this.handle(node, link.handler, link.channel.takeWaiting());
  }

  /** waitingFor finds the next connection of a process with a packet waiting, visiting them in turn. */
  private waitingFor(node: Node): Link | undefined {
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

  /** invoke runs a handler; only an async handler costs an await. */
  private invoke(node: Node, handler: Handler, packet: unknown): Promise<void> | undefined {
    try {
      const result = handler(packet);
      if (result !== undefined) return result.catch((error: unknown) => this.fail(node, error, packet));
    } catch (error) {
      this.fail(node, error, packet);
    }
    return undefined;
  }

  private fail(node: Node, error: unknown, packet: unknown): void {
    node.errors++;
    this.options.logger.error({ process: node.name, component: node.component, err: error }, `process ${node.name} failed`);
    try {
      this.options.onError?.(node.name, error, packet);
    } catch (nested) {
      this.options.logger.error({ process: node.name, err: nested }, 'onError failed');
    }
  }

}
