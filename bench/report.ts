import type { Machine, Source } from './machine.ts';
import type { Mode, Plan } from './plan.ts';
import type { PeerName } from './peers/peers.ts';
import type { ProfileSummary } from './profile.ts';
import type { AftermathResult, FanoutResult, FlowResult, MemoryResult, ServerJob, ServerName, ServerResult, ThroughputResult } from './types.ts';

/**
 * BenchReport is everything one run measured, as bench/results/<timestamp>.json
 * holds it. The table is printed from it, and test/bench/quick.test.ts reads it.
 */
export interface BenchReport {
  readonly version: 1;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly mode: Mode;
  readonly machine: Machine;
  readonly source: Source;
  /** Whether the server ran on CPU 0 and the load generator on CPU 1. */
  readonly pinned: boolean;
  readonly plan: Plan;
  /** How many times each server job ran against each server (the round with the median ratio is reported). */
  readonly repeat: number;
  /** Share of all CPUs' time other programs took in the second before the run. */
  readonly busyBefore: number;
  /** Why some figures may be skewed (other programs' CPU use), as printed. */
  readonly warnings: readonly string[];
  /** Peers asked for that could not run here, and why. */
  readonly skippedPeers: Partial<Record<PeerName, string>>;
  readonly fanout: readonly Pair<FanoutResult>[];
  readonly throughput: Pair<ThroughputResult> | undefined;
  readonly memory: Pair<MemoryResult> | undefined;
  readonly aftermath: Pair<AftermathResult> | undefined;
  readonly flow: FlowResult | undefined;
  /** Share of all CPUs' time other processes took while the flow job ran. */
  readonly flowOthersShare: number | undefined;
  readonly targets: readonly TargetCheck[];
  /** A profile run's: flowchat's and the baseline's CPU profiles, summed. */
  readonly profiles: Partial<Record<ServerName, ProfileSummary>>;
}

/** Pair is one scenario run against each server, each on a freshly started one. */
export interface Pair<R extends ServerResult> {
  readonly job: ServerJob;
  /** The run reported for each server: of the round with the median flowchat ÷ baseline ratio, the peers' runs of the same round (see `runs` and harness.ts's reportedRuns). */
  readonly results: Partial<Record<ServerName, R>>;
  /** Every run against each server, in the order they ran (`--repeat`). */
  readonly runs: Partial<Record<ServerName, R[]>>;
  /** Each server's exit code after SIGTERM: 0 is a clean shutdown. */
  readonly exitCodes: Partial<Record<ServerName, number | null>>;
  /** How long each server took from SIGTERM to exit. */
  readonly shutdownMs: Partial<Record<ServerName, number>>;
  /** The soft open-files limit each server got. */
  readonly openFiles: Partial<Record<ServerName, number>>;
  /** Share of all CPUs' time other processes took while the job ran against each server. */
  readonly othersShare: Partial<Record<ServerName, number>>;
  /** Each server's process id, which names its CPU profile in a profile run. */
  readonly pids: Partial<Record<ServerName, number>>;
}

/** TargetCheck is one of issue 4's targets, checked against a figure; a miss does not fail the run. */
export interface TargetCheck {
  /** Ties the check to a row of the table: `<scenario id>.<figure>`. */
  readonly key: string;
  readonly target: string;
  readonly value: number;
  readonly pass: boolean;
  /** A target of correctness (nothing lost), which every round must meet; the others are judged on the median round. */
  readonly everyRound?: boolean;
  /** In a `--repeat` run, the figure in each round, in the order they ran; `value` and `pass` are then the median round's, or the first round that missed a target every round must meet. */
  readonly rounds?: readonly number[];
}

/** RESULTS_LINE starts the stdout line that names the JSON results file, for scripts and tests. */
export const RESULTS_LINE = 'BENCH_RESULTS ';
