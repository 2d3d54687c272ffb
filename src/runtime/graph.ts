import { readFile } from 'node:fs/promises';
import type { Component } from './component.ts';
import { GraphError, problem, type GraphProblem } from './errors.ts';
import { accepts, datatypeOf, isScalar, type Datatype, type PortSpec } from './port.ts';
import type { Registry } from './registry.ts';

/**
 * The FBP JSON graph format (as NoFlo and fbp-graph read it), loaded and
 * checked completely before anything runs: every problem is collected and
 * reported together, none stops the search for the next.
 */

/** Address names one port of one process. */
export interface Address {
  readonly process: string;
  readonly port: string;
}

export interface ProcessDefinition {
  readonly name: string;
  readonly component: Component;
  readonly metadata: Readonly<Record<string, unknown>>;
}

export interface ConnectionDefinition {
  readonly src: Address;
  readonly tgt: Address;
  readonly capacity: number;
}

/** Where an initial packet's value came from, lowest precedence first. */
export type InitialOrigin = 'default' | 'graph' | 'environment';

export interface InitialPacket {
  readonly data: unknown;
  readonly tgt: Address;
  readonly origin: InitialOrigin;
}

/**
 * Tuning is an environment variable that sets one in-port of every process
 * of a component, over graph.json's initial packet (RATE_LIMIT, say).
 */
export interface Tuning {
  readonly variable: string;
  readonly component: string;
  readonly port: string;
  /** The variable's text, read as the port's datatype. */
  readonly raw: string;
}

/** GraphDefinition is a graph that passed every check. */
export interface GraphDefinition {
  readonly name: string;
  readonly processes: readonly ProcessDefinition[];
  readonly connections: readonly ConnectionDefinition[];
  readonly initials: readonly InitialPacket[];
  /** Where packets from outside (the HTTP adapter) enter, by inport name. */
  readonly inports: Readonly<Record<string, Address>>;
}

/** DEFAULT_CAPACITY is a connection's buffer when its metadata sets none. */
export const DEFAULT_CAPACITY = 64;
const MAX_CAPACITY = 1_000_000;
const TOP_LEVEL_KEYS = ['caseSensitive', 'properties', 'inports', 'outports', 'groups', 'processes', 'connections'];

/** ExternalInport is an inport the host requires, with the datatype it will send. */
export interface ExternalInport {
  readonly name: string;
  readonly datatype: Datatype;
}

export interface GraphCheckOptions {
  readonly registry: Registry;
  /** Inports the host sends into, each of which the graph must declare. */
  readonly inports?: readonly ExternalInport[];
  /** Environment variables set, that set ports over graph.json. */
  readonly tuning?: readonly Tuning[];
}

/** loadGraph reads, parses and checks a graph file; throws GraphError listing every problem. */
export async function loadGraph(file: string, options: GraphCheckOptions): Promise<GraphDefinition> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new GraphError(file, [problem('GRAPH_UNREADABLE', file, reason)]);
  }
  return parseGraph(text, file, options);
}

/** parseGraph parses graph JSON text and checks it; `source` names it in errors. */
export function parseGraph(text: string, source: string, options: GraphCheckOptions): GraphDefinition {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const { line, column } = locate(text, (error as Error).message);
    throw new GraphError(source, [problem('GRAPH_SYNTAX', `${source}:${line}:${column}`, (error as Error).message)]);
  }
  return checkGraph(raw, source, options);
}

/** checkGraph validates a parsed graph against the registry's components. */
export function checkGraph(raw: unknown, source: string, options: GraphCheckOptions): GraphDefinition {
  const checker = new GraphChecker(options);
  const graph = checker.check(raw);
  if (checker.problems.length > 0 || graph === undefined) throw new GraphError(source, checker.problems);
  return graph;
}

/** settingFromText reads a setting written as text (an environment variable) as a datatype; undefined when it is not one. */
export function settingFromText(raw: string, datatype: Datatype): unknown {
  if (datatype === 'integer') return /^-?[0-9]{1,16}$/.test(raw) ? Number(raw) : undefined;
  if (datatype === 'number') return raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : undefined;
  if (datatype === 'boolean') return raw === 'true' || raw === 'false' ? raw === 'true' : undefined;
  return datatype === 'string' || datatype === 'all' ? raw : undefined;
}

/** locate turns V8's "at position N" into a 1-based line and column. */
function locate(text: string, message: string): { line: number; column: number } {
  const match = /position (\d+)/.exec(message);
  const offset = match ? Number(match[1]) : text.length;
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

class GraphChecker {
  readonly problems: GraphProblem[] = [];
  private readonly processes = new Map<string, ProcessDefinition>();
  private readonly fed = new Set<string>();
  private readonly outUsed = new Map<string, string>();
  /** Out-ports some connection leaves from, its target broken or not: one typo is one problem. */
  private readonly leftFrom = new Set<string>();

  constructor(private readonly options: GraphCheckOptions) {}

  check(raw: unknown): GraphDefinition | undefined {
    if (!isObject(raw)) {
      this.report(problem('GRAPH_SHAPE', 'graph', 'is not a JSON object', 'write {"processes": {...}, "connections": [...]}'));
      return undefined;
    }
    for (const key of Object.keys(raw)) {
      if (!TOP_LEVEL_KEYS.includes(key)) this.report(problem('GRAPH_UNKNOWN_KEY', 'graph', key, TOP_LEVEL_KEYS));
    }
    this.checkProcesses(raw.processes);
    const { connections, initials } = this.checkConnections(raw.connections);
    const inports = this.checkInports(raw.inports);
    this.checkRequiredPorts();
    this.checkDeadEnds();
    const settled = this.settle(initials);
    const properties = isObject(raw.properties) ? raw.properties : {};
    return {
      name: typeof properties.name === 'string' ? properties.name : 'graph',
      processes: [...this.processes.values()],
      connections,
      initials: settled,
      inports,
    };
  }

  private report(p: GraphProblem): void {
    this.problems.push(p);
  }

  private checkProcesses(raw: unknown): void {
    if (!isObject(raw)) {
      this.report(problem('GRAPH_SHAPE', 'processes', 'is missing or not an object', 'write "processes": {"Name": {"component": "Component"}}'));
      return;
    }
    for (const [name, entry] of Object.entries(raw)) {
      if (!isObject(entry) || typeof entry.component !== 'string') {
        this.report(problem('GRAPH_SHAPE', name, 'has no "component"', `write "${name}": {"component": "<one of: ${this.options.registry.names.join(', ')}>"}`));
        continue;
      }
      const component = this.options.registry.get(entry.component);
      if (component === undefined) {
        this.report(problem('GRAPH_UNKNOWN_COMPONENT', name, entry.component, this.options.registry.names));
        continue;
      }
      this.processes.set(name, { name, component, metadata: isObject(entry.metadata) ? entry.metadata : {} });
    }
  }

  private checkConnections(raw: unknown): { connections: ConnectionDefinition[]; initials: InitialPacket[] } {
    const connections: ConnectionDefinition[] = [];
    const initials: InitialPacket[] = [];
    if (!Array.isArray(raw)) {
      this.report(problem('GRAPH_SHAPE', 'connections', 'is missing or not an array', 'write "connections": [{"src": {...}, "tgt": {...}}]'));
      return { connections, initials };
    }
    raw.forEach((entry: unknown, index) => {
      const at = `connections[${index}]`;
      if (!isObject(entry)) {
        this.report(problem('GRAPH_SHAPE', at, 'is not an object', 'write {"src": {"process", "port"}, "tgt": {"process", "port"}} or {"data", "tgt"}'));
        return;
      }
      if ('data' in entry) {
        const initial = this.checkInitial(entry, at);
        if (initial) initials.push(initial);
      } else {
        const connection = this.checkConnection(entry, at);
        if (connection) connections.push(connection);
      }
    });
    return { connections, initials };
  }

  private checkConnection(entry: Record<string, unknown>, at: string): ConnectionDefinition | undefined {
    const src = this.address(entry.src, `${at}.src`);
    const tgt = this.address(entry.tgt, `${at}.tgt`);
    const srcPort = src && this.port(src, 'out', at);
    const tgtPort = tgt && this.port(tgt, 'in', at);
    const capacity = this.capacity(entry.metadata, at);
    // A broken source was reported already; its target still counts as fed, so one typo is one problem.
    if (tgt && tgtPort) this.fed.add(`${tgt.process}.${tgt.port}`);
    if (src && srcPort) this.leftFrom.add(`${src.process}.${src.port}`);
    if (!src || !tgt || !srcPort || !tgtPort || capacity === undefined) return undefined;
    const from = `${src.process}.${src.port}`;
    const to = `${tgt.process}.${tgt.port}`;
    if (!accepts(tgtPort.datatype, srcPort.datatype)) {
      this.report(problem('GRAPH_DATATYPE_MISMATCH', `${to} (${at})`, from, srcPort.datatype, tgtPort.datatype));
    }
    const first = this.outUsed.get(from);
    if (first !== undefined) this.report(problem('GRAPH_FANOUT', `${from} (${at})`, first));
    else this.outUsed.set(from, to);
    return { src, tgt, capacity };
  }

  private checkInitial(entry: Record<string, unknown>, at: string): InitialPacket | undefined {
    const tgt = this.address(entry.tgt, `${at}.tgt`);
    const spec = tgt && this.port(tgt, 'in', at);
    if (!tgt || !spec) return undefined;
    const where = `${tgt.process}.${tgt.port} (${at})`;
    this.fed.add(`${tgt.process}.${tgt.port}`);
    if (!isScalar(spec.datatype)) {
      this.report(problem('GRAPH_NOT_A_SETTING', where, spec.datatype));
      return undefined;
    }
    const given = datatypeOf(entry.data);
    const detail = given !== 'null' && accepts(spec.datatype, given) ? spec.check?.(entry.data) : undefined;
    if (given === 'null' || !accepts(spec.datatype, given) || detail !== undefined) {
      const shown = `${given} ${JSON.stringify(entry.data)}`;
      this.report(problem('GRAPH_INITIAL_PACKET', where, shown, spec.datatype, detail ? ` that ${detail}` : ''));
      return undefined;
    }
    return { data: entry.data, tgt, origin: 'graph' };
  }

  /**
   * settle gives every setting port of every process its value: the
   * environment's replaces graph.json's, and a port given none gets its
   * declared default.
   */
  private settle(given: readonly InitialPacket[]): InitialPacket[] {
    const settled: InitialPacket[] = [];
    const tuned = new Set<string>();
    for (const process of this.processes.values()) {
      for (const [port, spec] of Object.entries(process.component.inPorts)) {
        const key = `${process.name}.${port}`;
        const tuning = this.options.tuning?.find((t) => t.component === process.component.name && t.port === port);
        if (tuning !== undefined) {
          tuned.add(key);
          const data = this.tuned(tuning, spec, key);
          if (data !== undefined) settled.push({ data, tgt: { process: process.name, port }, origin: 'environment' });
        } else if (spec.default !== undefined && !this.fed.has(key)) {
          settled.push({ data: spec.default, tgt: { process: process.name, port }, origin: 'default' });
        }
      }
    }
    return [...given.filter((i) => !tuned.has(`${i.tgt.process}.${i.tgt.port}`)), ...settled];
  }

  /** tuned reads an environment variable's text as the port's datatype, or reports why it cannot. */
  private tuned(tuning: Tuning, spec: PortSpec, where: string): unknown {
    const { raw } = tuning;
    const data = settingFromText(raw, spec.datatype);
    const detail = data === undefined ? undefined : spec.check?.(data);
    if (data === undefined || detail !== undefined) {
      this.report(problem('GRAPH_ENVIRONMENT', where, tuning.variable, raw, spec.datatype, detail ? ` that ${detail}` : ''));
      return undefined;
    }
    return data;
  }

  private checkInports(raw: unknown): Record<string, Address> {
    const inports: Record<string, Address> = {};
    const declared = isObject(raw) ? raw : {};
    if (raw !== undefined && !isObject(raw)) {
      this.report(problem('GRAPH_SHAPE', 'inports', 'is not an object', 'write "inports": {"http": {"process": "Router", "port": "in"}}'));
    }
    for (const [name, entry] of Object.entries(declared)) {
      const address = this.address(entry, `inports.${name}`);
      const spec = address && this.port(address, 'in', `inports.${name}`);
      if (!address || !spec) continue;
      const wanted = this.options.inports?.find((i) => i.name === name);
      if (wanted && !accepts(spec.datatype, wanted.datatype)) {
        this.report(problem('GRAPH_DATATYPE_MISMATCH', `${address.process}.${address.port} (inports.${name})`, `inport '${name}'`, wanted.datatype, spec.datatype));
      }
      this.fed.add(`${address.process}.${address.port}`);
      inports[name] = address;
    }
    for (const wanted of this.options.inports ?? []) {
      if (!(wanted.name in declared)) {
        this.report(problem('GRAPH_SHAPE', `inports.${wanted.name}`, `is missing: it is where '${wanted.datatype}' packets enter the graph`, `add "inports": {"${wanted.name}": {"process": "<process>", "port": "<in-port>"}}`));
      }
    }
    return inports;
  }

  private checkRequiredPorts(): void {
    for (const process of this.processes.values()) {
      for (const [name, spec] of Object.entries(process.component.inPorts)) {
        if (spec.required && !this.fed.has(`${process.name}.${name}`)) {
          this.report(problem('GRAPH_REQUIRED_PORT', `${process.name}.${name}`, spec.description));
        }
      }
    }
  }

  /** Each out-port that a fed in-port's packets leave by (the component's `leadsTo`) must lead somewhere. */
  private checkDeadEnds(): void {
    for (const process of this.processes.values()) {
      const { leadsTo = {}, inPorts, outPorts } = process.component;
      const reachedFrom = new Map<string, string[]>();
      for (const input of Object.keys(inPorts)) {
        if (!this.fed.has(`${process.name}.${input}`)) continue;
        for (const output of leadsTo[input] ?? []) reachedFrom.set(output, [...(reachedFrom.get(output) ?? []), input]);
      }
      for (const [output, inputs] of reachedFrom) {
        if (this.leftFrom.has(`${process.name}.${output}`)) continue;
        const spec = outPorts[output] as PortSpec;
        this.report(problem('GRAPH_DEAD_END', `${process.name}.${output}`, process.name, inputs, spec.description, spec.datatype));
      }
    }
  }

  private address(raw: unknown, at: string): Address | undefined {
    if (!isObject(raw) || typeof raw.process !== 'string' || typeof raw.port !== 'string') {
      this.report(problem('GRAPH_SHAPE', at, 'is not an address', 'write {"process": "<process name>", "port": "<port name>"}'));
      return undefined;
    }
    if (!this.processes.has(raw.process) && !this.isKnownButBroken(raw.process)) {
      this.report(problem('GRAPH_UNKNOWN_PROCESS', `${raw.process}.${raw.port} (${at})`, raw.process, [...this.processes.keys()]));
      return undefined;
    }
    return { process: raw.process, port: raw.port };
  }

  /** A process whose own entry was already reported is not reported again per connection. */
  private isKnownButBroken(name: string): boolean {
    return this.problems.some((p) => p.where === name);
  }

  private port(address: Address, direction: 'in' | 'out', at: string): PortSpec | undefined {
    const process = this.processes.get(address.process);
    if (process === undefined) return undefined;
    const { component } = process;
    const wanted = direction === 'in' ? component.inPorts : component.outPorts;
    const other = direction === 'in' ? component.outPorts : component.inPorts;
    const spec = Object.hasOwn(wanted, address.port) ? wanted[address.port] : undefined;
    if (spec !== undefined) return spec;
    const where = `${address.process}.${address.port} (${at})`;
    if (Object.hasOwn(other, address.port)) {
      this.report(problem('GRAPH_WRONG_DIRECTION', where, component.name, address.port, direction === 'out', Object.keys(wanted)));
    } else {
      this.report(problem('GRAPH_UNKNOWN_PORT', where, component.name, direction, address.port, Object.keys(wanted)));
    }
    return undefined;
  }

  private capacity(metadata: unknown, at: string): number | undefined {
    const value = isObject(metadata) ? metadata.capacity : undefined;
    if (value === undefined) return DEFAULT_CAPACITY;
    if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_CAPACITY) return value;
    this.report(problem('GRAPH_CAPACITY', at, JSON.stringify(value)));
    return undefined;
  }
}
