import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { nchanMissing } from '../../bench/peers/nchan.ts';
import { planFor, SCENARIO_NAMES } from '../../bench/plan.ts';
import { RESULTS_LINE, type BenchReport } from '../../bench/report.ts';
import { usPerAnswer, type ServerName } from '../../bench/types.ts';
import { describeRequiring } from '../e2e/system.ts';

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

let run: Promise<{ code: number | null; output: string; report: BenchReport | undefined }> | undefined;
const dir = mkdtempSync(path.join(tmpdir(), 'flowchat-bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/** quickRun runs the quick bench once, for every test of this file. */
function quickRun(): NonNullable<typeof run> {
  run ??= (async () => {
    const out = path.join(dir, 'quick.json');
    const { code, output } = await runQuickBench(out);
    const report = code === 0 ? (JSON.parse(readFileSync(out, 'utf8')) as BenchReport) : undefined;
    expect(output).toContain(`${RESULTS_LINE}${out}`);
    return { code, output, report };
  })();
  return run;
}

// What every client should have got follows from the plan, not from the report's own counts.
const plan = planFor('quick', SCENARIO_NAMES);
const fanoutJob = plan.fanout[0]!;

/**
 * expectMeasured checks that `server` ran every scenario to its end: every
 * fan-out client got every round's message, and the throughput account adds
 * up (each accepted post delivered to each poller or counted missed), with
 * a clean exit after each job.
 */
function expectMeasured(report: BenchReport, server: ServerName): void {
  const fanout = report.fanout[0]?.results[server];
  expect({ server, delivered: fanout?.delivered, failures: fanout?.failures }).toEqual({ server, delivered: fanoutJob.clients * fanoutJob.rounds, failures: 0 });
  const throughput = report.throughput?.results[server];
  expect(throughput?.accepted, `${server} accepted posts`).toBeGreaterThan(0);
  expect({ server, account: (throughput?.deliveries ?? 0) + (throughput?.missed ?? 0), failures: throughput?.failures, refused: throughput?.refused }).toEqual({
    server,
    account: (throughput?.accepted ?? 0) * plan.throughput!.pollers,
    failures: 0,
    refused: {},
  });
  const memory = report.memory?.results[server];
  expect(memory?.polls, `${server} memory run`).toBe(plan.memory!.polls);
  // The peak is the most the process had at once: never below a reading taken on the way.
  expect(memory?.peakKiB, `${server} peak RSS`).toBeGreaterThanOrEqual(Math.max(memory?.idleKiB ?? Infinity, memory?.heldKiB ?? Infinity, memory?.afterCloseKiB ?? Infinity));
  for (const pair of [...report.fanout, report.throughput, report.memory]) {
    expect(pair?.exitCodes[server], `${server} exit code after SIGTERM`).toBe(0);
  }
}

describe('bench quick mode', () => {
  // Timings are not asserted: they depend on the machine and on what else runs. Delivery does not.
  it('delivers every message to every client, once and in order, on flowchat and on the baseline', async () => {
    const { code, output, report } = await quickRun();
    expect(code, output).toBe(0);
    expect(report?.mode).toBe('quick');
    for (const server of SERVERS) {
      expectMeasured(report!, server);
      const throughput = report!.throughput?.results[server];
      expect({ server, missed: throughput?.missed, duplicates: throughput?.duplicates, outOfOrder: throughput?.outOfOrder }).toEqual({ server, missed: 0, duplicates: 0, outOfOrder: 0 });
      // The aftermath's two throughput runs, before and after the held polls, in one process: each in a fresh room, each complete.
      const aftermath = report!.aftermath?.results[server];
      for (const run of [aftermath?.fresh, aftermath?.after]) {
        expect(run?.accepted, `${server} aftermath accepted posts`).toBeGreaterThan(0);
        expect({ server, missed: run?.missed, duplicates: run?.duplicates, deliveries: run?.deliveries }).toEqual({ server, missed: 0, duplicates: 0, deliveries: (run?.accepted ?? 0) * plan.aftermath!.throughput.pollers });
      }
      expect(aftermath?.memory.polls).toBe(plan.aftermath!.memory.polls);
    }
  }, 180_000);

  it("prints each server's CPU per poll answer in the throughput scenario, from the run's CPU and answers", async () => {
    const { code, output, report } = await quickRun();
    expect(code, output).toBe(0);
    const line = output.split('\n').find((l) => l.includes('server CPU µs / poll answer'));
    const [flowchat, baseline] = (line?.split('poll answer')[1]?.match(/[\d,]+\.\d/g) ?? []).map((n) => Number(n.replaceAll(',', '')));
    const results = report!.throughput!.results;
    expect(flowchat).toBeCloseTo(usPerAnswer(results.flowchat!), 1);
    expect(baseline).toBeCloseTo(usPerAnswer(results.baseline!), 1);
    // What it is for: per delivery is per answer ÷ messages per answer.
    expect(usPerAnswer(results.flowchat!) / (results.flowchat!.deliveries / results.flowchat!.answers)).toBeCloseTo(results.flowchat!.cpu.usPerDelivery, 6);
  }, 180_000);

  // A peer is measured, not judged: what it loses is a figure of the table, but the bench must have driven it through every scenario.
  it('drives socket.io, in its own protocol, through every scenario', async () => {
    const { code, output, report } = await quickRun();
    expect(code, output).toBe(0);
    expectMeasured(report!, 'socketio');
  }, 180_000);

  describeRequiring('bench quick mode with the nginx + nchan peer', nchanMissing(), () => {
    it('drives nginx + nchan, in its own protocol, through every scenario', async () => {
      const { code, output, report } = await quickRun();
      expect(code, output).toBe(0);
      expect(report?.skippedPeers).toEqual({});
      expectMeasured(report!, 'nchan');
    }, 180_000);
  });
});
