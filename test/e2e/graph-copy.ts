/**
 * graph-copy: graph.json with some initial packets changed, written to a
 * temporary file for a backend started with GRAPH=<file> — e.g. a shorter
 * presence window, so a test sees someone leave within seconds.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const GRAPH = fileURLToPath(new URL('../../graph.json', import.meta.url));

/** Setting is one initial packet: the value `data` for `process`.`port`. */
export interface Setting {
  process: string;
  port: string;
  data: unknown;
}

interface Initial {
  data?: unknown;
  src?: unknown;
  tgt: { process: string; port: string };
}

/** GraphCopy is the written file; remove() deletes it and its folder. */
export interface GraphCopy {
  path: string;
  remove(): Promise<void>;
}

/**
 * writeGraphCopy copies graph.json with `settings` applied. Each must
 * replace an initial packet graph.json has, so a renamed port fails here
 * rather than leaving the test running with the default.
 */
export async function writeGraphCopy(settings: readonly Setting[]): Promise<GraphCopy> {
  const graph = JSON.parse(await readFile(GRAPH, 'utf8')) as { connections: Initial[] };
  for (const { process, port, data } of settings) {
    const initial = graph.connections.find((c) => c.src === undefined && c.tgt.process === process && c.tgt.port === port);
    if (initial === undefined) throw new Error(`graph.json has no initial packet for ${process}.${port}`);
    initial.data = data;
  }
  const folder = await mkdtemp(join(tmpdir(), 'flowchat-e2e-graph-'));
  const path = join(folder, 'graph.json');
  await writeFile(path, JSON.stringify(graph, null, 2));
  return { path, remove: () => rm(folder, { recursive: true, force: true }) };
}
