import type { Pair, TargetCheck } from './report.ts';
import type { FanoutResult, FlowResult, MemoryResult, ThroughputResult } from './types.ts';

/**
 * Issue 4's targets for flowchat. They are printed beside the figures with
 * ✓ or ✗ and never fail a run: a bench that fails on a slow day gets switched
 * off, one that reports keeps being read.
 */
export const TARGETS = {
  /** Fan-out CPU per delivery, as a multiple of the baseline's. */
  fanoutCpuRatio: 1.2,
  /** Fan-out p99 delay at this many clients or more, in ms. */
  fanoutP99Clients: 10_000,
  fanoutP99Ms: 1_000,
  deliveriesPerSec: 200_000,
  kibPerHeldPoll: 10,
  /**
   * RSS after the held polls are gone may be at most this fraction above
   * idle. Below idle passes: the reclaimer's trim also hands back pages that
   * start-up had left free, which idle still counts.
   */
  afterCloseVsIdle: 0.1,
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
  readonly flow: FlowResult | undefined;
}

/** checkTargets checks every target whose figures the run has. */
export function checkTargets(inputs: TargetInputs): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const check = (key: string, target: string, value: number, pass: boolean): void => {
    checks.push({ key, target, value, pass });
  };

  for (const pair of inputs.fanout) {
    const { flowchat, baseline } = pair.results;
    if (flowchat === undefined) continue;
    const id = fanoutId(flowchat.clients);
    check(`${id}.delivered`, '100%', flowchat.delivered / flowchat.expected, flowchat.delivered === flowchat.expected);
    if (baseline !== undefined) {
      const ratio = flowchat.cpu.usPerDelivery / baseline.cpu.usPerDelivery;
      check(`${id}.cpu`, `≤ ${TARGETS.fanoutCpuRatio}× baseline`, ratio, ratio <= TARGETS.fanoutCpuRatio);
    }
    if (flowchat.clients >= TARGETS.fanoutP99Clients) {
      check(`${id}.p99`, `< ${TARGETS.fanoutP99Ms} ms`, flowchat.delay.p99Ms, flowchat.delay.p99Ms < TARGETS.fanoutP99Ms);
    }
  }

  const throughput = inputs.throughput?.results.flowchat;
  if (throughput !== undefined) {
    check('throughput.deliveries', `≥ ${TARGETS.deliveriesPerSec.toLocaleString('en')}/s`, throughput.deliveriesPerSec, throughput.deliveriesPerSec >= TARGETS.deliveriesPerSec);
    check('throughput.missed', '0', throughput.missed, throughput.missed === 0 && throughput.accepted > 0);
  }

  const memory = inputs.memory?.results.flowchat;
  if (memory !== undefined) {
    check('memory.kibPerPoll', `≤ ${TARGETS.kibPerHeldPoll} KiB`, memory.kibPerPoll, memory.kibPerPoll <= TARGETS.kibPerHeldPoll);
    check('memory.afterClose', `≤ idle + ${TARGETS.afterCloseVsIdle * 100}%`, memory.afterCloseVsIdle, memory.afterCloseVsIdle <= TARGETS.afterCloseVsIdle);
  }

  if (inputs.flow !== undefined) {
    check('flow.network', `≥ ${TARGETS.flowPacketsPerSec.toLocaleString('en')}/s`, inputs.flow.networkPerSec, inputs.flow.networkPerSec >= TARGETS.flowPacketsPerSec);
    const share = inputs.flow.tracingIdlePerSec / inputs.flow.networkPerSec;
    check('flow.tracingIdle', `≥ ${TARGETS.tracingIdleShare}× off`, share, share >= TARGETS.tracingIdleShare);
  }
  return checks;
}
