/**
 * Every error the runtime raises about a graph, defined once. Each problem
 * names where it is (a process, `Process.port`, or a connection) first, then
 * what is wrong, then how to fix it, so a user can mend graph.json from the
 * message alone.
 */

/** GraphProblem is one thing wrong with a graph. */
export interface GraphProblem {
  readonly code: GraphProblemCode;
  /** Where: `Storage`, `Storage.capacity`, `connections[3]`, `graph.json:4:7`. */
  readonly where: string;
  readonly message: string;
}

const list = (names: readonly string[]): string => (names.length ? names.join(', ') : '(none)');
/** either joins alternatives as prose: 'a', 'b' or 'c'. */
const either = (names: readonly string[]): string => (names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1)}` : names.join(''));

/** graphProblems builds each problem; the keys are the codes. */
export const graphProblems = {
  GRAPH_UNREADABLE: (reason: string) =>
    `cannot read the graph file (${reason}); set GRAPH to the path of a graph.json`,
  GRAPH_SYNTAX: (detail: string) => `is not valid JSON: ${detail}; fix the JSON at that line and column`,
  GRAPH_SHAPE: (what: string, fix: string) => `${what}; ${fix}`,
  GRAPH_UNKNOWN_KEY: (key: string, known: readonly string[]) =>
    `has an unknown key '${key}'; the keys a graph may have are: ${list(known)}`,
  GRAPH_UNKNOWN_COMPONENT: (component: string, known: readonly string[]) =>
    `uses component '${component}', which does not exist; the components in components/ are: ${list(known)}`,
  GRAPH_UNKNOWN_PROCESS: (process: string, known: readonly string[]) =>
    `names process '${process}', which is not declared in "processes"; declare it there or use one of: ${list(known)}`,
  GRAPH_UNKNOWN_PORT: (component: string, direction: 'in' | 'out', port: string, known: readonly string[]) =>
    `'${port}' is not an ${direction}-port of ${component}; its ${direction}-ports are: ${list(known)}`,
  GRAPH_WRONG_DIRECTION: (component: string, port: string, isIn: boolean, known: readonly string[]) =>
    isIn
      ? `'${port}' is an in-port of ${component}, but a connection's "src" must be an out-port; use one of: ${list(known)}`
      : `'${port}' is an out-port of ${component}, but a connection's "tgt" must be an in-port; use one of: ${list(known)}`,
  GRAPH_REQUIRED_PORT: (description: string) =>
    `is a required in-port (${description}) and nothing feeds it; connect an out-port to it or give it an initial packet`,
  GRAPH_DEAD_END: (process: string, from: readonly string[], description: string, datatype: string) =>
    `is not connected, but what reaches ${process} at ${either(from.map((port) => `'${port}'`))} leaves by it (${description}); connect it to an in-port that takes '${datatype}' packets${datatype === 'reply' ? ', such as Responder.in' : ''}`,
  GRAPH_DATATYPE_MISMATCH: (from: string, sends: string, accepts: string) =>
    `receives '${sends}' packets from ${from} but accepts '${accepts}'; connect it to a port that sends '${accepts}'`,
  GRAPH_INITIAL_PACKET: (given: string, wanted: string, detail: string) =>
    `got an initial packet of type ${given}, but the port takes ${wanted}${detail}; change "data" to a valid ${wanted}`,
  GRAPH_NOT_A_SETTING: (datatype: string) =>
    `takes '${datatype}' packets that only the network makes, not initial data; remove the initial packet or aim it at a setting port`,
  GRAPH_FANOUT: (first: string) =>
    `is already connected to ${first}; an out-port feeds exactly one connection, so insert a component that copies packets if you need two`,
  GRAPH_ENVIRONMENT: (variable: string, raw: string, wanted: string, detail: string) =>
    `is set by ${variable}=${JSON.stringify(raw)}, but the port takes ${wanted}${detail}; set ${variable} to a valid ${wanted}, or unset it to use graph.json's value`,
  GRAPH_CAPACITY: (value: string) =>
    `has "metadata": {"capacity": ${value}}; capacity must be an integer from 1 to 1000000 (default 64)`,
} as const;

export type GraphProblemCode = keyof typeof graphProblems;

/** problem makes a GraphProblem from its code and the arguments its message needs. */
export function problem<K extends GraphProblemCode>(
  code: K,
  where: string,
  ...args: Parameters<(typeof graphProblems)[K]>
): GraphProblem {
  const build = graphProblems[code] as (...a: Parameters<(typeof graphProblems)[K]>) => string;
  return { code, where, message: build(...args) };
}

/** GraphError refuses a graph as a whole, listing every problem found. */
export class GraphError extends Error {
  readonly code = 'GRAPH_INVALID';
  readonly problems: readonly GraphProblem[];

  constructor(source: string, problems: readonly GraphProblem[]) {
    const lines = problems.map((p) => `  - ${p.where}: ${p.message} [${p.code}]`);
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(`${source} was refused, ${count}:\n${lines.join('\n')}`);
    this.name = 'GraphError';
    this.problems = problems;
  }
}

/** PacketLoopError fails the process a packet reached after more hops than any way through the graph takes. */
export class PacketLoopError extends Error {
  readonly code = 'PACKET_LOOP';

  constructor(reached: string, hops: number) {
    super(`a packet reached ${reached} on its hop ${hops}, more than any way through the graph takes: the graph sends it round a loop; follow its connections on from ${reached} and break the loop`);
    this.name = 'PacketLoopError';
  }
}
