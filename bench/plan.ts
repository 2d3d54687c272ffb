import type { AftermathJob, FanoutJob, FlowJob, MemoryJob, ThroughputJob } from './types.ts';

/** Mode is how much a run measures: all of it, a smoke test, or a profile of the server under fan-out. */
export type Mode = 'full' | 'quick' | 'profile';

/** ScenarioName is what `--only` selects. */
export const SCENARIO_NAMES = ['fanout', 'throughput', 'memory', 'aftermath', 'flow'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** Plan is every job of one run, with the sizes its mode gives them. */
export interface Plan {
  readonly mode: Mode;
  readonly fanout: readonly FanoutJob[];
  readonly throughput: ThroughputJob | undefined;
  readonly memory: MemoryJob | undefined;
  readonly aftermath: AftermathJob | undefined;
  readonly flow: FlowJob | undefined;
  /** MAX_HELD_POLLS for both servers: above every scenario's N, so none is refused. */
  readonly maxHeldPolls: number;
}

const fanout = (clients: number, warmupRounds: number, rounds: number): FanoutJob => ({ kind: 'fanout', clients, warmupRounds, rounds, roundTimeoutMs: 30_000 });

const PLANS: Readonly<Record<Mode, Omit<Plan, 'mode' | 'maxHeldPolls'>>> = {
  full: {
    fanout: [fanout(1_000, 3, 10), fanout(10_000, 3, 10)],
    throughput: { kind: 'throughput', pollers: 1_000, publishers: 32, durationMs: 10_000, drainTimeoutMs: 15_000 },
    memory: { kind: 'memory', polls: 10_000, settleMs: 1_000, afterCloseMs: 2_000 },
    aftermath: {
      kind: 'aftermath',
      throughput: { kind: 'throughput', pollers: 1_000, publishers: 32, durationMs: 10_000, drainTimeoutMs: 15_000 },
      memory: { kind: 'memory', polls: 10_000, settleMs: 1_000, afterCloseMs: 2_000 },
    },
    flow: { kind: 'flow', packets: 1_000_000, runs: 5 },
  },
  quick: {
    fanout: [fanout(50, 0, 1)],
    throughput: { kind: 'throughput', pollers: 50, publishers: 4, durationMs: 2_000, drainTimeoutMs: 10_000 },
    memory: { kind: 'memory', polls: 200, settleMs: 200, afterCloseMs: 500 },
    aftermath: {
      kind: 'aftermath',
      throughput: { kind: 'throughput', pollers: 50, publishers: 4, durationMs: 1_000, drainTimeoutMs: 10_000 },
      memory: { kind: 'memory', polls: 200, settleMs: 200, afterCloseMs: 500 },
    },
    flow: { kind: 'flow', packets: 100_000, runs: 1 },
  },
  // More measured rounds than a full run, so the profile is mostly fan-out and little else; or, with --only throughput, that scenario.
  profile: {
    fanout: [fanout(10_000, 3, 30)],
    throughput: { kind: 'throughput', pollers: 1_000, publishers: 32, durationMs: 10_000, drainTimeoutMs: 15_000 },
    memory: undefined,
    aftermath: undefined,
    flow: undefined,
  },
};

/** planFor sizes the jobs of a mode, keeping only the scenarios in `only`. */
export function planFor(mode: Mode, only: readonly ScenarioName[]): Plan {
  const all = PLANS[mode];
  const keep = (name: ScenarioName): boolean => only.includes(name);
  const plan = {
    fanout: keep('fanout') ? all.fanout : [],
    // A profile is of one scenario: fan-out, unless it is left out.
    throughput: keep('throughput') && !(mode === 'profile' && keep('fanout')) ? all.throughput : undefined,
    memory: keep('memory') ? all.memory : undefined,
    aftermath: keep('aftermath') ? all.aftermath : undefined,
    flow: keep('flow') ? all.flow : undefined,
  };
  const largest = Math.max(0, ...plan.fanout.map((j) => j.clients), plan.throughput?.pollers ?? 0, plan.memory?.polls ?? 0, plan.aftermath?.memory.polls ?? 0);
  return { mode, ...plan, maxHeldPolls: Math.max(100_000, largest * 2) };
}
