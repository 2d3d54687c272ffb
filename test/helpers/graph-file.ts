import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** GraphJson is graph.json as plain data, for tests that rewire a copy of it. */
export interface GraphJson {
  properties?: Record<string, unknown>;
  inports?: Record<string, { process: string; port: string }>;
  processes: Record<string, { component: string; metadata?: Record<string, unknown> }>;
  connections: GraphConnection[];
  [key: string]: unknown;
}

export type GraphConnection =
  | { src: { process: string; port: string }; tgt: { process: string; port: string }; metadata?: Record<string, unknown> }
  | { data: unknown; tgt: { process: string; port: string } };

export const GRAPH_FILE = path.resolve('graph.json');
const CLASSIC_GRAPH_FILE = path.resolve('test/fixtures/classic-graph.json');

/** defaultGraph is a fresh copy of the project's graph.json. */
export function defaultGraph(): GraphJson {
  return JSON.parse(readFileSync(GRAPH_FILE, 'utf8')) as GraphJson;
}

/** classicGraph is gochat's seven-process graph, a fixed shape for tests that point into it by index. */
export function classicGraph(): GraphJson {
  return JSON.parse(readFileSync(CLASSIC_GRAPH_FILE, 'utf8')) as GraphJson;
}

// Folders writeGraph made; test/setup.ts removes them after each test file.
const written: string[] = [];

/** writeGraph writes a graph to a temporary file, removed after the test file, and returns its path. */
export function writeGraph(graph: GraphJson | string): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'flowchat-graph-'));
  written.push(folder);
  const file = path.join(folder, 'graph.json');
  writeFileSync(file, typeof graph === 'string' ? graph : JSON.stringify(graph, null, 2));
  return file;
}

/** removeWrittenGraphs deletes every file writeGraph wrote. */
export function removeWrittenGraphs(): void {
  for (const folder of written.splice(0)) rmSync(folder, { recursive: true, force: true });
  openPostingFile = undefined;
}

/** isEdge tells an edge from an initial packet. */
export function isEdge(c: GraphConnection): c is Extract<GraphConnection, { src: unknown }> {
  return 'src' in c;
}

/** setInitial sets the initial packet aimed at process.port: changes graph.json's, or adds one over the port's default. */
export function setInitial(graph: GraphJson, process: string, port: string, data: unknown): GraphJson {
  const initial = graph.connections.find((c) => !isEdge(c) && c.tgt.process === process && c.tgt.port === port);
  if (initial === undefined || isEdge(initial)) graph.connections.push({ data, tgt: { process, port } });
  else initial.data = data;
  return graph;
}

/**
 * openPostingGraph is graph.json with posting open to anyone, as in gochat:
 * for the tests of the message rules, which are not about sessions.
 */
export function openPostingGraph(): GraphJson {
  return setInitial(defaultGraph(), 'SendController', 'sessionRequired', false);
}

let openPostingFile: string | undefined;

/** openPostingGraphFile writes openPostingGraph once per test file and returns its path. */
export function openPostingGraphFile(): string {
  openPostingFile ??= writeGraph(openPostingGraph());
  return openPostingFile;
}
