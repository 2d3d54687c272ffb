import { HTTP_INPORT } from './app/app.ts';
import { loadComponents } from './app/components.ts';
import { GraphError } from './runtime/errors.ts';
import { loadGraph, type GraphDefinition } from './runtime/graph.ts';
import { readSettings, SettingsError } from './app/settings.ts';

/**
 * `npm run validate -- [FILE]` checks a graph file as the server would at
 * start (or on a reload), environment variables that set ports included,
 * without starting anything: run it before `kill -HUP`. FILE defaults to
 * GRAPH's. Exit 0 with a one-line summary, or 1 with every problem.
 */
async function validate(file: string | undefined): Promise<string> {
  const settings = readSettings(file === undefined ? process.env : { ...process.env, GRAPH: file });
  const registry = await loadComponents();
  const graph = await loadGraph(settings.graph, { registry, inports: [HTTP_INPORT], tuning: settings.tuning });
  return `${settings.graph} is valid: ${summary(graph)}`;
}

/** summary counts what a graph holds, and where its settings come from. */
export function summary(graph: GraphDefinition): string {
  const from = (origin: string) => graph.initials.filter((i) => i.origin === origin).length;
  const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
  return [
    plural(graph.processes.length, 'process').replace(/processs$/, 'processes'),
    plural(graph.connections.length, 'connection'),
    `${plural(graph.initials.length, 'setting')} (${from('graph')} from the file, ${from('environment')} from the environment, ${from('default')} defaults)`,
  ].join(', ');
}

validate(process.argv[2]).then(
  (line) => console.log(line),
  (error: unknown) => {
    console.error(error instanceof GraphError || error instanceof SettingsError ? error.message : error);
    process.exit(1);
  },
);
