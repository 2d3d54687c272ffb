import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { defaultGraph, isEdge, setInitial, writeGraph } from './helpers/graph-file.ts';

const run = promisify(execFile);

/** validate runs `npm run validate -- FILE` as an operator would, and gives its exit code and output. */
async function validate(file: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('npm', ['run', '--silent', 'validate', '--', file], { env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npm run validate', () => {
  it('passes a good graph with a one-line summary, saying where its settings come from', async () => {
    const file = writeGraph(setInitial(defaultGraph(), 'Storage', 'capacity', 50));
    const { code, stdout } = await validate(file, { RATE_LIMIT: '5' });
    expect(code).toBe(0);
    const shipped = defaultGraph();
    const processes = Object.keys(shipped.processes).length;
    const connections = shipped.connections.filter(isEdge).length;
    expect(stdout.trim().split('\n')).toEqual([`${file} is valid: ${processes} processes, ${connections} connections, 21 settings (1 from the file, 1 from the environment, 19 defaults)`]);
  });

  it('lists every problem of a bad graph and exits 1, starting nothing', async () => {
    const graph = defaultGraph();
    graph.processes.Storage = { component: 'Storge' };
    graph.connections.push({ data: 'many', tgt: { process: 'SendController', port: 'maxText' } });
    const { code, stdout, stderr } = await validate(writeGraph(graph));
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain("Storage: uses component 'Storge', which does not exist");
    expect(stderr).toContain(`SendController.maxText (connections[${graph.connections.length - 1}]): got an initial packet of type string "many", but the port takes integer`);
  });

  it('refuses an environment variable a port cannot take', async () => {
    const { code, stderr } = await validate('graph.json', { MAX_HELD_POLLS: '0' });
    expect(code).toBe(1);
    expect(stderr).toContain('Storage.maxHeldPolls: is set by MAX_HELD_POLLS="0"');
  });
});
