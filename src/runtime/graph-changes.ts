import type { Address, GraphDefinition, InitialPacket } from './graph.ts';

/**
 * GraphChanges is what a reload changes: what the log says, and what the
 * network must do (start processes, rewire connections, deliver settings).
 */
export interface GraphChanges {
  /** Processes new to the graph, or whose component changed (they start fresh). */
  readonly added: readonly string[];
  /** Processes gone from the graph, or whose component changed (they finish what they hold). */
  readonly removed: readonly string[];
  /** Connections as `Src.port>Tgt.port`, inports as `(name)>Tgt.port`. */
  readonly connected: readonly string[];
  readonly disconnected: readonly string[];
  /** Settings of processes that stay whose value changed: they are delivered again. */
  readonly settings: readonly SettingChange[];
}

export interface SettingChange {
  /** `Process.port`. */
  readonly port: string;
  readonly from: unknown;
  readonly to: unknown;
}

/**
 * connectionKey names a connection as the log, the network's reuse of
 * connections across a reload and the graph page all do: `Src.port>Tgt.port`,
 * `(name)>Tgt.port` for an inport.
 */
export function connectionKey(from: string, to: Address): string {
  return `${from}>${to.process}.${to.port}`;
}

/** connectionKeys names every connection and inport of a graph, with its capacity (an inport's is fixed). */
function connectionKeys(graph: GraphDefinition): Map<string, number> {
  const keys = new Map<string, number>();
  for (const c of graph.connections) keys.set(connectionKey(`${c.src.process}.${c.src.port}`, c.tgt), c.capacity);
  for (const [name, to] of Object.entries(graph.inports)) keys.set(connectionKey(`(${name})`, to), -1);
  return keys;
}

/** graphChanges compares the running graph with the one that is to replace it. */
export function graphChanges(before: GraphDefinition, after: GraphDefinition): GraphChanges {
  const component = (graph: GraphDefinition) => new Map(graph.processes.map((p) => [p.name, p.component]));
  const was = component(before);
  const is = component(after);
  const kept = (name: string) => was.has(name) && was.get(name) === is.get(name);
  const added = [...is.keys()].filter((name) => !kept(name));
  const removed = [...was.keys()].filter((name) => !kept(name));

  const oldKeys = connectionKeys(before);
  const newKeys = connectionKeys(after);
  // A connection between processes that start afresh is a new one, even under the same name.
  const same = (key: string) => oldKeys.get(key) === newKeys.get(key) && endsOf(key).every(kept);
  const connected = [...newKeys.keys()].filter((key) => !same(key));
  const disconnected = [...oldKeys.keys()].filter((key) => !(newKeys.has(key) && same(key)));

  const oldValues = settingValues(before.initials);
  const settings: SettingChange[] = [];
  for (const [port, to] of settingValues(after.initials)) {
    const from = oldValues.get(port);
    if (kept(port.slice(0, port.indexOf('.'))) && JSON.stringify(from) !== JSON.stringify(to)) settings.push({ port, from, to });
  }
  return { added, removed, connected, disconnected, settings };
}

/** endsOf gives the processes a connection key joins (an inport has one). */
function endsOf(key: string): string[] {
  return key
    .split('>')
    .filter((end) => !end.startsWith('('))
    .map((end) => end.slice(0, end.indexOf('.')));
}

/** settingValues gives each port's initial packets, in order (one, for a setting). */
function settingValues(initials: readonly InitialPacket[]): Map<string, unknown> {
  const values = new Map<string, unknown[]>();
  for (const { tgt, data } of initials) {
    const port = `${tgt.process}.${tgt.port}`;
    values.set(port, [...(values.get(port) ?? []), data]);
  }
  return new Map([...values].map(([port, list]) => [port, list.length === 1 ? list[0] : list]));
}

/** isEmpty tells a reload that changes nothing. */
export function isEmpty(changes: GraphChanges): boolean {
  return Object.values(changes).every((list: readonly unknown[]) => list.length === 0);
}

/** describeChanges is the log's one line about a reload. */
export function describeChanges(changes: GraphChanges): string {
  if (isEmpty(changes)) return 'nothing changed';
  const parts: string[] = [];
  const list = (what: string, names: readonly string[]) => {
    if (names.length > 0) parts.push(`${what} ${names.join(', ')}`);
  };
  list('processes added:', changes.added);
  list('processes removed:', changes.removed);
  list('connected:', changes.connected);
  list('disconnected:', changes.disconnected);
  list('settings changed:', changes.settings.map((s) => `${s.port} ${JSON.stringify(s.from)} → ${JSON.stringify(s.to)}`));
  return parts.join('; ');
}
