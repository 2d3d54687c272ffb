import type { PacketOf, PortMap } from './port.ts';

/** Logger is the slice of pino that components and the network use. */
export interface Logger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

/** Outputs lets a process send on its declared out-ports, and only those. */
export interface Outputs<O extends PortMap> {
  /**
   * Sends a packet on an out-port. Returns a promise only when the
   * connection is full; awaiting it is how a process honours backpressure.
   * Sending on an unconnected port throws: check `isConnected` first where a
   * port is optional.
   */
  send<K extends keyof O & string>(port: K, packet: PacketOf<O[K]>): Promise<void> | undefined;
  isConnected(port: keyof O & string): boolean;
}

/** ProcessContext is what a running process knows of the world. */
export interface ProcessContext<O extends PortMap, C> {
  /** The process's name in the graph, for logs. */
  readonly name: string;
  readonly out: Outputs<O>;
  /** What the application shares with every process (settings, logger, ...). */
  readonly app: C;
  /**
   * background lets work outlast the handler of `packet` (a password hash,
   * say) without holding the process: the next packet is handled meanwhile.
   * Should the work fail, the process has failed as if its handler had
   * thrown: counted, logged, and the packet's request answered 500. The
   * network's stop waits for it as for a running handler.
   */
  background(work: Promise<unknown>, packet: unknown): void;
}

type Handler<T> = (packet: T) => void | Promise<void>;

/** Process is one running instance of a component: a handler per in-port. */
export type Process<I extends PortMap> = { [K in keyof I]: Handler<PacketOf<I[K]>> } & {
  /**
   * Called once when the network stops, before connections close, so the
   * process can answer what it still holds (held polls, say).
   */
  onStop?: () => void | Promise<void>;
  /**
   * Called when a reload rewired the graph around a process that stays, so
   * that one that chose what to do from `isConnected` looks again.
   */
  onRewire?: () => void;
};

/** ComponentSpec is what a component file declares. */
export interface ComponentSpec<I extends PortMap, O extends PortMap, C> {
  /** The name graph.json uses in `processes.<name>.component`. */
  readonly name: string;
  readonly description: string;
  readonly inPorts: I;
  readonly outPorts: O;
  /**
   * For each in-port, the out-ports its packets leave by without the
   * process asking `isConnected` first: a poll going on, the answer to a
   * request. A graph that feeds the in-port must connect each of them, or it
   * is refused (GRAPH_DEAD_END), since those packets would otherwise fail at
   * run time and their requests be answered 500. An out-port named nowhere
   * here is optional: the process looks before it sends. (Port names are
   * checked where a component is declared: see ComponentDeclaration.)
   */
  readonly leadsTo?: { readonly [input: string]: readonly string[] | undefined };
  /**
   * Makes a process: its state lives in the closure, its handlers come back.
   * A method, so a component of the chat still fits the registry's erased Component.
   */
  create(context: ProcessContext<O, C>): Process<I>;
}

/** Component is a ComponentSpec with its port names erased, as the registry holds it. */
export type Component = ComponentSpec<PortMap, PortMap, unknown>;

/** OnlyDeclared refuses handlers for ports a component does not declare. */
type OnlyDeclared<P, I> = P & { [K in Exclude<keyof P, keyof I | 'onStop' | 'onRewire'>]: never };

/** ComponentDeclaration is what defineComponent takes: a ComponentSpec whose process has no stray handlers and whose `leadsTo` names its own ports. */
export type ComponentDeclaration<I extends PortMap, O extends PortMap, C, P> = Omit<ComponentSpec<I, O, C>, 'create' | 'leadsTo'> & {
  readonly leadsTo?: { readonly [K in keyof I & string]?: readonly (keyof O & string)[] };
  create(context: ProcessContext<O, C>): OnlyDeclared<P, I>;
};

/**
 * defineComponent declares a component. Port names are inferred from
 * `inPorts` and `outPorts`, so a handler for a port that does not exist, a
 * missing handler, or a send on an undeclared out-port fails to compile.
 */
export function defineComponent<I extends PortMap, O extends PortMap, C, P extends Process<I>>(
  spec: ComponentDeclaration<I, O, C, P>,
): ComponentSpec<I, O, C> {
  for (const name of Object.keys(spec.inPorts)) {
    if (name === 'onStop' || name === 'onRewire') throw new Error(`Component ${spec.name}: an in-port cannot be named '${name}'`);
  }
  // The types check leadsTo's names; this catches a component compiled without them.
  for (const [input, outputs] of Object.entries(spec.leadsTo ?? {})) {
    if (!Object.hasOwn(spec.inPorts, input)) throw new Error(`Component ${spec.name}: leadsTo names '${input}', which is not one of its in-ports`);
    for (const output of outputs ?? []) {
      if (!Object.hasOwn(spec.outPorts, output)) throw new Error(`Component ${spec.name}: leadsTo sends '${input}' to '${output}', which is not one of its out-ports`);
    }
  }
  return Object.freeze(spec);
}

/**
 * componentFor fixes the application context type once, so each component
 * file infers only its ports: `const define = componentFor<AppContext>()`.
 */
export function componentFor<C>() {
  return <I extends PortMap, O extends PortMap, P extends Process<I>>(spec: ComponentDeclaration<I, O, C, P>): ComponentSpec<I, O, C> =>
    defineComponent(spec);
}
