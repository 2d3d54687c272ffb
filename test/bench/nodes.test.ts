import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { planFor } from '../../bench/plan.ts';
import { num } from '../../bench/table.ts';
import type { FanoutResult, ThroughputResult } from '../../bench/types.ts';
import { NGINX_BINARY } from '../../scripts/nginx-process.ts';
import { REDIS_MISSING } from '../helpers/backends.ts';
import { describeRequiring, missingBinaries } from '../e2e/system.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SETUPS = ['memory', 'redis', '2 nodes'];

interface NodesReport {
  readonly mode: string;
  readonly results: readonly { readonly job: string; readonly setup: string; readonly round: number; readonly result: FanoutResult | ThroughputResult }[];
}

function runQuickNodesBench(out: string, ...options: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/nodes.ts', '--quick', '--out', out, ...options], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

const missing = [...missingBinaries([NGINX_BINARY]).map((b) => `${b} not found — run scripts/install-system-deps.sh`), ...(REDIS_MISSING === undefined ? [] : [REDIS_MISSING])];

describeRequiring('bench:nodes quick mode', missing.length === 0 ? undefined : missing.join('; '), () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'flowchat-bench-nodes-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // Timings are not asserted; delivery is.
  it('delivers every message to every client in memory, on one node with Redis, and on two nodes behind nginx', async () => {
    const out = path.join(dir, 'nodes.json');
    const { code, output } = await runQuickNodesBench(out);
    expect(code, output).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8')) as NodesReport;
    const plan = planFor('quick', ['fanout', 'throughput']);
    const fanoutJob = plan.fanout[0]!;
    for (const setup of SETUPS) {
      const fanout = report.results.find((r) => r.setup === setup && r.result.kind === 'fanout')?.result as FanoutResult | undefined;
      expect({ setup, delivered: fanout?.delivered, failures: fanout?.failures }).toEqual({ setup, delivered: fanoutJob.clients * fanoutJob.rounds, failures: 0 });
      const throughput = report.results.find((r) => r.setup === setup && r.result.kind === 'throughput')?.result as ThroughputResult | undefined;
      expect(throughput?.accepted, `${setup} accepted posts`).toBeGreaterThan(0);
      expect({ setup, missed: throughput?.missed, deliveries: throughput?.deliveries, duplicates: throughput?.duplicates, outOfOrder: throughput?.outOfOrder, failures: throughput?.failures }).toEqual({
        setup,
        missed: 0,
        deliveries: (throughput?.accepted ?? 0) * plan.throughput!.pollers,
        duplicates: 0,
        outOfOrder: 0,
        failures: 0,
      });
      // Redis's own CPU is measured where there is a Redis.
      expect(throughput?.cpu.storeMs === undefined, setup).toBe(setup === 'memory');
    }
  });

  it('runs only the scenarios and set-ups asked for, as many rounds as asked, and refuses one it does not know', async () => {
    const out = path.join(dir, 'some.json');
    const { code, output } = await runQuickNodesBench(out, '--only', 'throughput', '--setups', 'memory,redis', '--repeat', '2');
    expect(code, output).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8')) as NodesReport;
    expect(report.results.map((r) => [r.round, r.setup, r.result.kind])).toEqual([
      [1, 'memory', 'throughput'],
      [1, 'redis', 'throughput'],
      [2, 'memory', 'throughput'],
      [2, 'redis', 'throughput'],
    ]);
    // Judged on the median of the rounds' ratios, each of which is printed.
    const ratios = [1, 2].map((round) => {
      const of = (setup: string) => report.results.find((r) => r.round === round && r.setup === setup)?.result.cpu.usPerDelivery ?? Number.NaN;
      return of('redis') / of('memory');
    });
    const shown = ratios.map((ratio) => num(ratio, 2));
    expect(output).toContain(`Redis on one node ${num(Math.min(...ratios), 2)}× (the median of ${shown.map((r) => `${r}×`).join(', ')}) memory's CPU per delivery`);
    const refused = await runQuickNodesBench(out, '--setups', 'memory,three-nodes');
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('--setups: "three-nodes" is none of memory, redis, 2-nodes');
  });
});
