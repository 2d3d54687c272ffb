import { beforeAll, describe, expect, it } from 'vitest';
import { HTTP_INPORT } from '../../src/app/app.ts';
import { loadComponents } from '../../src/app/components.ts';
import { GraphError } from '../../src/runtime/errors.ts';
import { checkGraph, loadGraph, parseGraph } from '../../src/runtime/graph.ts';
import type { Registry } from '../../src/runtime/registry.ts';
import { classicGraph, defaultGraph, isEdge, writeGraph, type GraphJson } from '../helpers/graph-file.ts';

let registry: Registry;
beforeAll(async () => {
  registry = await loadComponents();
});

const options = () => ({ registry, inports: [HTTP_INPORT] });

/** problems returns what checkGraph reports for a graph, as "where: message [CODE]" lines. */
function problems(graph: unknown): string[] {
  try {
    checkGraph(graph, 'test-graph.json', options());
  } catch (error) {
    expect(error).toBeInstanceOf(GraphError);
    return (error as GraphError).problems.map((p) => `${p.where}: ${p.message} [${p.code}]`);
  }
  return [];
}

function edit(change: (graph: GraphJson) => void): GraphJson {
  const graph = classicGraph();
  change(graph);
  return graph;
}

describe('graph.json', () => {
  it('the default graph passes every check', () => {
    const graph = checkGraph(defaultGraph(), 'graph.json', options());
    expect(graph.processes.map((p) => p.name)).toEqual(['Session', 'Router', 'Controller', 'SendController', 'Rooms', 'Presence', 'RateLimit', 'Storage', 'Inspector', 'Metrics', 'OidcSignIn', 'Responder']);
    expect(graph.inports.http).toEqual({ process: 'Session', port: 'in' });
    expect(graph.initials).toContainEqual({ data: 1000, tgt: { process: 'Storage', port: 'capacity' }, origin: 'default' });
  });

  it('gives every setting port its declared default, unless graph.json or the environment sets it', () => {
    const settingOf = (graph: { initials: readonly { tgt: { process: string; port: string } }[] }, port: string) =>
      graph.initials.filter((i) => `${i.tgt.process}.${i.tgt.port}` === port);
    const given = defaultGraph();
    given.connections.push({ data: 50, tgt: { process: 'Storage', port: 'capacity' } });
    const fromFile = checkGraph(given, 'graph.json', options());
    expect(settingOf(fromFile, 'Storage.capacity')).toEqual([{ data: 50, tgt: { process: 'Storage', port: 'capacity' }, origin: 'graph' }]);
    expect(settingOf(fromFile, 'Storage.maxHeldPolls')).toEqual([{ data: 10_000, tgt: { process: 'Storage', port: 'maxHeldPolls' }, origin: 'default' }]);
    expect(settingOf(fromFile, 'SendController.sessionRequired')).toEqual([{ data: true, tgt: { process: 'SendController', port: 'sessionRequired' }, origin: 'default' }]);

    const tuned = checkGraph(given, 'graph.json', {
      ...options(),
      tuning: [
        { variable: 'CAPACITY', component: 'Storage', port: 'capacity', raw: '7' },
        { variable: 'SESSIONS_NEEDED', component: 'SendController', port: 'sessionRequired', raw: 'false' },
      ],
    });
    expect(settingOf(tuned, 'Storage.capacity')).toEqual([{ data: 7, tgt: { process: 'Storage', port: 'capacity' }, origin: 'environment' }]);
    expect(settingOf(tuned, 'SendController.sessionRequired')).toEqual([{ data: false, tgt: { process: 'SendController', port: 'sessionRequired' }, origin: 'environment' }]);
  });

  it('refuses an environment variable the port cannot take, naming the variable and its range', () => {
    const refused = (raw: string) => {
      try {
        checkGraph(defaultGraph(), 'graph.json', { ...options(), tuning: [{ variable: 'RATE_LIMIT', component: 'RateLimit', port: 'limit', raw }] });
      } catch (error) {
        return (error as GraphError).problems.map((p) => `${p.where}: ${p.message} [${p.code}]`);
      }
      return [];
    };
    expect(refused('many')).toEqual([`RateLimit.limit: is set by RATE_LIMIT="many", but the port takes integer; set RATE_LIMIT to a valid integer, or unset it to use graph.json's value [GRAPH_ENVIRONMENT]`]);
    expect(refused('-1')).toEqual([`RateLimit.limit: is set by RATE_LIMIT="-1", but the port takes integer that must be between 0 and 1000000; set RATE_LIMIT to a valid integer, or unset it to use graph.json's value [GRAPH_ENVIRONMENT]`]);
    expect(refused('0')).toEqual([]);
  });

  it('reads connection capacity from metadata, 64 by default', () => {
    const graph = checkGraph(classicGraph(), 'classic-graph.json', options());
    const toResponder = graph.connections.find((c) => c.src.process === 'Storage');
    expect(toResponder?.capacity).toBe(1024);
    expect(graph.connections.find((c) => c.src.process === 'Router')?.capacity).toBe(64);
  });
});

describe('graph validation', () => {
  it('reports malformed JSON with its line and column', () => {
    const text = '{\n  "processes": {\n    "Router": {"component": "Router"},\n  }\n}';
    expect(() => parseGraph(text, 'bad.json', options())).toThrow(/bad\.json:4:3: is not valid JSON: .*fix the JSON at that line and column \[GRAPH_SYNTAX\]/);
  });

  it('reports a missing file with the GRAPH setting to fix', async () => {
    await expect(loadGraph('/nonexistent/graph.json', options())).rejects.toThrow(/\/nonexistent\/graph\.json: cannot read the graph file \(ENOENT\); set GRAPH/);
  });

  it.each<[string, (g: GraphJson) => void, string]>([
    [
      'an unknown component',
      (g) => (g.processes.Storage = { component: 'Storge' }),
      "Storage: uses component 'Storge', which does not exist; the components in components/ are: Controller, Inspector, Metrics, OidcSignIn, Presence, RateLimit, Responder, Rooms, Router, SendController, Session, Storage [GRAPH_UNKNOWN_COMPONENT]",
    ],
    [
      'an unknown out-port',
      (g) => edgeFrom(g, 'Router', 'poll').src.port = 'polls',
      "Router.polls (connections[0]): 'polls' is not an out-port of Router; its out-ports are: poll, post, health, graph, traces, metrics, session, rooms, users, auth, error [GRAPH_UNKNOWN_PORT]",
    ],
    [
      'an unknown in-port',
      (g) => ((g.connections[13] as { tgt: { port: string } }).tgt.port = 'capacty'),
      "Storage.capacty (connections[13]): 'capacty' is not an in-port of Storage; its in-ports are: poll, post, presence, listing, health, forget, capacity, maxRooms, maxListed, maxAnswerBytes, maxHeldPolls [GRAPH_UNKNOWN_PORT]",
    ],
    [
      'an in-port used as a source',
      (g) => (edgeFrom(g, 'Router', 'poll').src = { process: 'Storage', port: 'poll' }),
      "Storage.poll (connections[0]): 'poll' is an in-port of Storage, but a connection's \"src\" must be an out-port; use one of: out, listing [GRAPH_WRONG_DIRECTION]",
    ],
    [
      'an out-port used as a target',
      (g) => (edgeFrom(g, 'Router', 'poll').tgt = { process: 'Controller', port: 'error' }),
      "Controller.error (connections[0]): 'error' is an out-port of Controller, but a connection's \"tgt\" must be an in-port; use one of: in [GRAPH_WRONG_DIRECTION]",
    ],
    [
      'a connection to a process that does not exist',
      (g) => (edgeFrom(g, 'Router', 'poll').tgt = { process: 'Controler', port: 'in' }),
      "Controler.in (connections[0].tgt): names process 'Controler', which is not declared in \"processes\"; declare it there or use one of: Router, Controller, SendController, RateLimit, Storage, Inspector, Responder [GRAPH_UNKNOWN_PROCESS]",
    ],
    [
      'a required in-port left unconnected',
      (g) => (g.connections = g.connections.filter((c) => c.tgt.process !== 'Responder')),
      'Responder.in: is a required in-port (Replies from every component) and nothing feeds it; connect an out-port to it or give it an initial packet [GRAPH_REQUIRED_PORT]',
    ],
    [
      'an out-port that a fed in-port\'s packets leave by, left unconnected',
      (g) => dropEdgeFrom(g, 'Controller', 'poll'),
      "Controller.poll: is not connected, but what reaches Controller at 'in' leaves by it (Checked polls); connect it to an in-port that takes 'poll' packets [GRAPH_DEAD_END]",
    ],
    [
      'a process\'s answers left with nowhere to go',
      (g) => dropEdgeFrom(g, 'Router', 'error'),
      "Router.error: is not connected, but what reaches Router at 'in' leaves by it (404 and 405 answers); connect it to an in-port that takes 'reply' packets, such as Responder.in [GRAPH_DEAD_END]",
    ],
    [
      'an initial packet of the wrong type',
      (g) => initialFor(g, 'Storage', 'capacity').data = '1000',
      'Storage.capacity (connections[13]): got an initial packet of type string "1000", but the port takes integer; change "data" to a valid integer [GRAPH_INITIAL_PACKET]',
    ],
    [
      'an initial packet out of range',
      (g) => initialFor(g, 'Storage', 'capacity').data = 0,
      'Storage.capacity (connections[13]): got an initial packet of type integer 0, but the port takes integer that must be between 1 and 1000000; change "data" to a valid integer [GRAPH_INITIAL_PACKET]',
    ],
    [
      'an initial packet aimed at a packet port',
      (g) => g.connections.push({ data: 5, tgt: { process: 'Storage', port: 'poll' } }),
      "Storage.poll (connections[16]): takes 'poll' packets that only the network makes, not initial data; remove the initial packet or aim it at a setting port [GRAPH_NOT_A_SETTING]",
    ],
    [
      'ports of different packet kinds connected',
      (g) => (edgeFrom(g, 'Router', 'poll').tgt = { process: 'Storage', port: 'poll' }),
      "Storage.poll (connections[0]): receives 'request' packets from Router.poll but accepts 'poll'; connect it to a port that sends 'poll' [GRAPH_DATATYPE_MISMATCH]",
    ],
    [
      'an out-port connected twice',
      (g) => g.connections.push({ src: { process: 'Router', port: 'poll' }, tgt: { process: 'Controller', port: 'in' } }),
      'Router.poll (connections[16]): is already connected to Controller.in; an out-port feeds exactly one connection, so insert a component that copies packets if you need two [GRAPH_FANOUT]',
    ],
    [
      'a bad capacity',
      (g) => (edgeFrom(g, 'Router', 'poll').metadata = { capacity: 0 }),
      'connections[0]: has "metadata": {"capacity": 0}; capacity must be an integer from 1 to 1000000 (default 64) [GRAPH_CAPACITY]',
    ],
    [
      'a missing inport for HTTP requests',
      (g) => delete g.inports,
      'inports.http: is missing: it is where \'request\' packets enter the graph; add "inports": {"http": {"process": "<process>", "port": "<in-port>"}} [GRAPH_SHAPE]',
    ],
    [
      'an unknown top-level key',
      (g) => (g.conections = []),
      "graph: has an unknown key 'conections'; the keys a graph may have are: caseSensitive, properties, inports, outports, groups, processes, connections [GRAPH_UNKNOWN_KEY]",
    ],
  ])('refuses %s, naming the place and the fix', (_name, change, expected) => {
    expect(problems(edit(change))[0]).toEqual(expected);
  });

  it('reports every problem at once, not just the first', () => {
    const graph = edit((g) => {
      g.processes.Storage = { component: 'Nope' };
      edgeFrom(g, 'Router', 'post').tgt.port = 'inn';
      initialFor(g, 'SendController', 'maxText').data = true;
    });
    const found = problems(graph).map((line) => line.replace(/:.*\[/, ' ['));
    expect(found).toEqual([
      'Storage [GRAPH_UNKNOWN_COMPONENT]',
      'SendController.inn (connections[1]) [GRAPH_UNKNOWN_PORT]',
      'SendController.maxText (connections[15]) [GRAPH_INITIAL_PACKET]',
      // The mistyped port leaves the real one unfed: reported too, so the user sees the whole damage.
      'SendController.in [GRAPH_REQUIRED_PORT]',
    ]);
  });

  it('names every in-port whose packets would reach a dead end', () => {
    const graph = defaultGraph();
    dropEdgeFrom(graph, 'Storage', 'out');
    expect(problems(graph)).toEqual([
      "Storage.out: is not connected, but what reaches Storage at 'poll', 'post', 'presence', 'listing' or 'health' leaves by it (Answers to polls, posts and health checks); connect it to an in-port that takes 'reply' packets, such as Responder.in [GRAPH_DEAD_END]",
    ]);
  });

  it('lets an out-port stay unconnected where nothing must leave by it', () => {
    const without = (process: string, port: string) => {
      const graph = defaultGraph();
      dropEdgeFrom(graph, process, port);
      return problems(graph);
    };
    // The Router routes only to wired ports, Rooms tells Presence of departures only if it can.
    expect(without('Router', 'health')).toEqual([]);
    expect(without('Rooms', 'departed')).toEqual([]);
    // Nothing reaches Inspector.traces once the Router no longer sends there, so its answers need no way out from there.
    expect(without('Router', 'traces')).toEqual([]);
  });

  it('counts a connection with a mistyped target as leaving its source: one typo, one problem', () => {
    expect(problems(edit((g) => (edgeFrom(g, 'Controller', 'poll').tgt.port = 'pol')))).toEqual([
      "Storage.pol (connections[4]): 'pol' is not an in-port of Storage; its in-ports are: poll, post, presence, listing, health, forget, capacity, maxRooms, maxListed, maxAnswerBytes, maxHeldPolls [GRAPH_UNKNOWN_PORT]",
    ]);
  });

  it('lists each problem on its own line in the error message', async () => {
    const file = writeGraph(edit((g) => (g.processes.Router = { component: 'Routr' })));
    await expect(loadGraph(file, options())).rejects.toThrow(/graph\.json was refused, 1 problem:\n {2}- Router: uses component 'Routr'/);
  });

  it('runs gochat\'s classic graph too: sessions, rooms and presence are optional', () => {
    expect(problems(classicGraph())).toEqual([]);
  });

  it('refuses a graph that is not an object', () => {
    expect(problems([])).toEqual(['graph: is not a JSON object; write {"processes": {...}, "connections": [...]} [GRAPH_SHAPE]']);
  });
});

function edgeFrom(g: GraphJson, process: string, port: string) {
  const edge = g.connections.filter(isEdge).find((c) => c.src.process === process && c.src.port === port);
  if (edge === undefined) throw new Error(`no edge from ${process}.${port}`);
  return edge;
}

function dropEdgeFrom(g: GraphJson, process: string, port: string): void {
  const edge = edgeFrom(g, process, port);
  g.connections = g.connections.filter((c) => c !== edge);
}

function initialFor(g: GraphJson, process: string, port: string): { data: unknown } {
  const initial = g.connections.find((c) => !isEdge(c) && c.tgt.process === process && c.tgt.port === port);
  if (initial === undefined || isEdge(initial)) throw new Error(`no initial packet for ${process}.${port}`);
  return initial;
}
