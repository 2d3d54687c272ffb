import type { Pair, TargetCheck } from './report.ts';
import { medianBy } from './samples.ts';
import type { AftermathResult, FanoutResult, FlowResult, MemoryResult, ServerName, ServerResult, ThroughputResult } from './types.ts';

/**
 * flowchat's targets (issue #15's, on top of the first benchmark's). They
 * are printed beside the figures with ✓ or ✗ and never fail a run: a bench
 * that fails on a slow day gets switched off, one that reports keeps being
 * read. A target against a server that did not run (a peer skipped) is not
 * checked.
 */
export const TARGETS = {
  /** Server CPU per delivery, fan-out and throughput, as a multiple of the bare node:http baseline's; and at most socket.io's. */
  cpuRatioToBaseline: 0.9,
  cpuRatioToSocketIo: 1,
  /** Fan-out p99 delay at this many clients or more: at most the baseline's. */
  fanoutP99Clients: 10_000,
  /** Throughput deliveries/s, as a multiple of the baseline's. */
  deliveriesRatioToBaseline: 1,
  kibPerHeldPoll: 8,
  idleRssMiB: 60,
  /**
   * RSS after the held polls are gone may be at most this fraction above
   * idle. Below idle passes: the reclaimer's trim also hands back pages that
   * start-up had left free, which idle still counts.
   */
  afterCloseVsIdle: 0.1,
  /** Throughput CPU per delivery after the memory scenario ÷ on the fresh process: no slow-down beyond the VM's drift between two runs. */
  aftermathSlowdown: 1.1,
  flowPacketsPerSec: 1_000_000,
  /** Untraced packets through a network with tracing on, none traced, as a share of the rate with it off: within the run's noise. */
  tracingIdleShare: 0.95,
} as const;

/** fanoutId names a fan-out run in keys and in the table. */
export const fanoutId = (clients: number): string => `fanout-${clients}`;

export interface TargetInputs {
  readonly fanout: readonly Pair<FanoutResult>[];
  readonly throughput: Pair<ThroughputResult> | undefined;
  readonly memory: Pair<MemoryResult> | undefined;
  readonly aftermath?: Pair<AftermathResult> | undefined;
  readonly flow: FlowResult | undefined;
}

/**
 * Check records one target's verdict. `everyRound`: a target of correctness
 * (nothing lost), which every round must meet; the others are costs, which
 * the VM's drift moves from round to round, judged on the median round.
 */
type Check = (key: string, target: string, value: number, pass: boolean, everyRound?: boolean) => void;

/** cpuChecks checks flowchat's CPU per delivery against the baseline's and socket.io's, where they ran. */
function cpuChecks<R extends FanoutResult | ThroughputResult>(check: Check, key: string, results: Partial<Record<ServerName, R>>): void {
  const flowchat = results.flowchat;
  if (flowchat === undefined) return;
  const limits: readonly [ServerName, string, number][] = [
    ['baseline', 'baseline', TARGETS.cpuRatioToBaseline],
    ['socketio', 'socket.io', TARGETS.cpuRatioToSocketIo],
  ];
  limits.forEach(([name, label, limit], i) => {
    const other = results[name];
    if (other === undefined) return;
    const ratio = flowchat.cpu.usPerDelivery / other.cpu.usPerDelivery;
    // The first check keeps the row's own key (the table shows it there); the next ones add to it.
    check(i === 0 ? key : `${key}.${name}`, `≤ ${limit}× ${label}`, ratio, ratio <= limit);
  });
}

const serverOf = <R extends ServerResult>(pair: Pair<R> | undefined, name: ServerName): R | undefined => pair?.results[name];

/** checkTargets checks every target whose figures the run has. */
export function checkTargets(inputs: TargetInputs): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const check: Check = (key, target, value, pass, everyRound) => {
    checks.push({ key, target, value, pass, ...(everyRound === true ? { everyRound } : {}) });
  };

  for (const pair of inputs.fanout) {
    const flowchat = serverOf(pair, 'flowchat');
    if (flowchat === undefined) continue;
    const id = fanoutId(flowchat.clients);
    check(`${id}.delivered`, '100%', flowchat.delivered / flowchat.expected, flowchat.delivered === flowchat.expected, true);
    cpuChecks(check, `${id}.cpu`, pair.results);
    const baseline = serverOf(pair, 'baseline');
    if (flowchat.clients >= TARGETS.fanoutP99Clients && baseline !== undefined) {
      const ratio = flowchat.delay.p99Ms / baseline.delay.p99Ms;
      check(`${id}.p99`, `≤ baseline's`, ratio, ratio <= 1);
    }
  }

  const throughput = serverOf(inputs.throughput, 'flowchat');
  if (throughput !== undefined && inputs.throughput !== undefined) {
    const baseline = serverOf(inputs.throughput, 'baseline');
    if (baseline !== undefined) {
      const ratio = throughput.deliveriesPerSec / baseline.deliveriesPerSec;
      check('throughput.deliveries', `≥ ${TARGETS.deliveriesRatioToBaseline}× baseline`, ratio, ratio >= TARGETS.deliveriesRatioToBaseline);
    }
    check('throughput.missed', '0', throughput.missed, throughput.missed === 0 && throughput.accepted > 0, true);
    cpuChecks(check, 'throughput.cpu', inputs.throughput.results);
  }

  const memory = serverOf(inputs.memory, 'flowchat');
  if (memory !== undefined) {
    check('memory.idle', `≤ ${TARGETS.idleRssMiB} MiB`, memory.idleKiB / 1024, memory.idleKiB / 1024 <= TARGETS.idleRssMiB);
    check('memory.kibPerPoll', `≤ ${TARGETS.kibPerHeldPoll} KiB`, memory.kibPerPoll, memory.kibPerPoll <= TARGETS.kibPerHeldPoll);
    check('memory.afterClose', `≤ idle + ${TARGETS.afterCloseVsIdle * 100}%`, 100 * memory.afterCloseVsIdle, memory.afterCloseVsIdle <= TARGETS.afterCloseVsIdle);
  }

  const aftermath = serverOf(inputs.aftermath, 'flowchat');
  if (aftermath !== undefined) {
    check('aftermath.slowdown', `≤ ${TARGETS.aftermathSlowdown}× fresh`, aftermath.slowdown, aftermath.slowdown <= TARGETS.aftermathSlowdown);
  }

  if (inputs.flow !== undefined) {
    check('flow.network', `≥ ${TARGETS.flowPacketsPerSec.toLocaleString('en')}/s`, inputs.flow.networkPerSec, inputs.flow.networkPerSec >= TARGETS.flowPacketsPerSec);
    const share = inputs.flow.tracingIdlePerSec / inputs.flow.networkPerSec;
    check('flow.tracingIdle', `≥ ${TARGETS.tracingIdleShare}× off`, share, share >= TARGETS.tracingIdleShare);
  }
  return checks;
}

/**
 * checkTargetsOverRounds judges each target on its own figure over the
 * rounds of a `--repeat` run, as issue #15 sets them ("the median of
 * repeated rounds in one run"), and keeps every round's figure beside the
 * verdict. The table shows one round, the one whose CPU ratio is the
 * median; a figure that does not follow the CPU (the p99 delay, which
 * follows whichever round held a full collection, or memory) has a median
 * round of its own. A target of correctness must hold in every round.
 */
export function checkTargetsOverRounds(inputs: TargetInputs): TargetCheck[] {
  const pairs = [...inputs.fanout, inputs.throughput, inputs.memory, inputs.aftermath].filter((pair) => pair !== undefined);
  const rounds = Math.max(0, ...pairs.map((pair) => pair.runs.flowchat?.length ?? 0));
  if (rounds <= 1) return checkTargets(inputs);
  const perRound = Array.from({ length: rounds }, (_, round) => checkTargets(roundOf(inputs, round)));
  const keys = [...new Set(perRound.flat().map((check) => check.key))];
  const judged = keys.map((key) => {
    const checks = perRound.flatMap((list) => list.filter((check) => check.key === key));
    const first = checks[0] as TargetCheck;
    const chosen = first.everyRound === true ? (checks.find((check) => !check.pass) ?? first) : medianBy(checks, (check) => check.value);
    return { ...chosen, rounds: checks.map((check) => check.value) };
  });
  // The flow scenario is not run in rounds: it keeps the medians of its own runs.
  return [...judged, ...checkTargets({ fanout: [], throughput: undefined, memory: undefined, flow: inputs.flow })];
}

/** roundOf is the inputs as one round measured them: each server's run of that round (the flow scenario has no rounds). */
function roundOf(inputs: TargetInputs, round: number): TargetInputs {
  const at = <R extends ServerResult>(pair: Pair<R> | undefined): Pair<R> | undefined => {
    if (pair === undefined) return undefined;
    const results: Partial<Record<ServerName, R>> = {};
    for (const [name, runs] of Object.entries(pair.runs) as [ServerName, R[]][]) {
      const run = runs[round];
      if (run !== undefined) results[name] = run;
    }
    return { ...pair, results };
  };
  return {
    fanout: inputs.fanout.map((pair) => at(pair) as Pair<FanoutResult>),
    throughput: at(inputs.throughput),
    memory: at(inputs.memory),
    aftermath: at(inputs.aftermath),
    flow: undefined,
  };
}
