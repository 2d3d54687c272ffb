import { measureFlowOverhead } from './flow-overhead.ts';
import { runAftermath } from './scenarios/aftermath.ts';
import { runFanout } from './scenarios/fanout.ts';
import { runMemory } from './scenarios/memory.ts';
import { runThroughput } from './scenarios/throughput.ts';
import { OthersMeter } from './proc.ts';
import { RESULT_PREFIX, type JobResult, type LoadgenOutput, type LoadgenTask } from './types.ts';

/**
 * The load generator: a process of its own, pinned by the harness to the
 * other CPU than the server's, so the clients' work never competes with the
 * server's. It takes one task as a JSON argument and prints one result line.
 */
async function main(): Promise<void> {
  const argument = process.argv[2];
  if (argument === undefined) throw new Error('usage: loadgen.ts <task JSON>; the bench harness (bench/run.ts) starts it');
  const task = JSON.parse(argument) as LoadgenTask;
  const ours = 'target' in task ? [task.target.pid, ...(task.target.pids ?? []), ...(task.target.helperPids ?? []), ...(task.target.storePid === undefined ? [] : [task.target.storePid])] : [];
  const others = new OthersMeter([process.pid, ...new Set(ours)]);
  const result = await run(task);
  const output: LoadgenOutput = { result, othersShare: others.share() };
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(output)}\n`);
}

function run(task: LoadgenTask): Promise<JobResult> {
  if (!('target' in task)) return measureFlowOverhead(task.job);
  switch (task.job.kind) {
    case 'fanout':
      return runFanout(task.target, task.job);
    case 'throughput':
      return runThroughput(task.target, task.job);
    case 'memory':
      return runMemory(task.target, task.job);
    case 'aftermath':
      return runAftermath(task.target, task.job);
  }
}

main().then(
  // Open sockets or timers must not keep a finished generator alive.
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
