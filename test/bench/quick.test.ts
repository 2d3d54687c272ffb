import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { planFor, SCENARIO_NAMES } from '../../bench/plan.ts';
import { RESULTS_LINE, type BenchReport } from '../../bench/report.ts';
import type { ServerName } from '../../bench/types.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SERVERS: readonly ServerName[] = ['flowchat', 'baseline'];

/** runQuickBench runs `bench/run.ts --quick` as `npm run bench -- --quick` would, writing its results to `out`. */
function runQuickBench(out: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--quick', '--out', out], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('bench', () => {
  describe('quick mode', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'flowchat-bench-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    // Timings are not asserted: they depend on the machine and on what else runs. Delivery does not.
    it('delivers every message to every client, on flowchat and on the baseline', async () => {
      const out = path.join(dir, 'quick.json');
      const { code, output } = await runQuickBench(out);
      expect(code, output).toBe(0);
      expect(output).toContain(`${RESULTS_LINE}${out}`);
      const report = JSON.parse(readFileSync(out, 'utf8')) as BenchReport;
      expect(report.mode).toBe('quick');

      // What every client should have got follows from the plan, not from the report's own counts.
      const plan = planFor('quick', SCENARIO_NAMES);
      const fanoutJob = plan.fanout[0]!;
      for (const server of SERVERS) {
        const fanout = report.fanout[0]?.results[server];
        expect(fanout, `${server} fan-out result`).toBeDefined();
        expect({ server, delivered: fanout?.delivered, failures: fanout?.failures }).toEqual({ server, delivered: fanoutJob.clients * fanoutJob.rounds, failures: 0 });

        const throughput = report.throughput?.results[server];
        expect(throughput, `${server} throughput result`).toBeDefined();
        expect(throughput?.accepted, `${server} accepted posts`).toBeGreaterThan(0);
        expect({
          server,
          missed: throughput?.missed,
          deliveries: throughput?.deliveries,
          duplicates: throughput?.duplicates,
          outOfOrder: throughput?.outOfOrder,
          failures: throughput?.failures,
          refused: throughput?.refused,
        }).toEqual({ server, missed: 0, deliveries: (throughput?.accepted ?? 0) * plan.throughput!.pollers, duplicates: 0, outOfOrder: 0, failures: 0, refused: {} });

        for (const pair of [...report.fanout, report.throughput, report.memory]) {
          expect(pair?.exitCodes[server], `${server} exit code after SIGTERM`).toBe(0);
        }
      }
    }, 90_000);
  });
});
