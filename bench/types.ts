/**
 * The jobs the harness hands to the load generator and the figures that come
 * back. Both processes import this file, so a figure renamed on one side fails
 * to compile on the other.
 */

/** ServerName says which server a figure belongs to: flowchat, the bare node:http baseline, or a peer (socket.io, nginx + nchan). */
export type ServerName = 'flowchat' | 'baseline' | 'socketio' | 'nchan';

/** TargetServer is a running server the load generator drives. */
export interface TargetServer {
  readonly name: ServerName;
  readonly host: string;
  readonly port: number;
  /** The server's own process id: CPU and RSS are read from /proc/<pid>. */
  readonly pid: number;
  /** Every process of a server of several nodes (pid among them): its CPU is theirs together. */
  readonly pids?: readonly number[];
  /** The Redis a server keeps its state in: its CPU is read apart, as the store's. */
  readonly storePid?: number;
  /** Processes of the set-up that are neither (nginx): not counted as other programs. */
  readonly helperPids?: readonly number[];
  /** The nodes' own ports, where each one's held polls are read (and summed); by default the server's port. */
  readonly nodePorts?: readonly number[];
  /** PROTOCOL.md's `B`. */
  readonly basePath: string;
}

export interface FanoutJob {
  readonly kind: 'fanout';
  readonly clients: number;
  readonly warmupRounds: number;
  readonly rounds: number;
  /** A round that has not delivered to every client by then counts the rest as undelivered. */
  readonly roundTimeoutMs: number;
}

export interface ThroughputJob {
  readonly kind: 'throughput';
  readonly pollers: number;
  readonly publishers: number;
  readonly durationMs: number;
  /** How long pollers may take after the last post to catch up. */
  readonly drainTimeoutMs: number;
}

export interface MemoryJob {
  readonly kind: 'memory';
  readonly polls: number;
  /** Quiet time before each idle or held reading, so start-up and connection work has settled. */
  readonly settleMs: number;
  /** When RSS is read again after the held polls' clients went away. */
  readonly afterCloseMs: number;
}

/** AftermathJob runs throughput, then memory, then throughput again, against one server process: does having held many polls leave it slower? */
export interface AftermathJob {
  readonly kind: 'aftermath';
  readonly throughput: ThroughputJob;
  readonly memory: MemoryJob;
}

export interface FlowJob {
  readonly kind: 'flow';
  readonly packets: number;
  readonly runs: number;
}

export type ServerJob = FanoutJob | ThroughputJob | MemoryJob | AftermathJob;
export type Job = ServerJob | FlowJob;

/** LoadgenTask is the load generator's whole input: one job, against one server unless it is the in-process flow job. */
export type LoadgenTask = { readonly job: ServerJob; readonly target: TargetServer } | { readonly job: FlowJob };

/** Delays are milliseconds. */
export interface DelayFigures {
  readonly count: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** CpuFigures are a server's user+sys time over the measured part of a scenario. */
export interface CpuFigures {
  /** From /proc/<pid>/stat utime+stime: clock-tick resolution (10 ms at USER_HZ 100). */
  readonly userSysMs: number;
  /** From the sum of /proc/<pid>/task/<tid>/schedstat run times: nanosecond resolution, for a cross-check. */
  readonly schedMs: number;
  /** userSysMs ÷ deliveries, in microseconds. */
  readonly usPerDelivery: number;
  /** The store's (Redis's) run time (schedstat) over the same part, when the server has one. */
  readonly storeMs?: number;
}

/**
 * LoadgenBusy is the load generator's own CPU time over the wall time of the
 * phase where it could hold the server back (deliveries in flight): near 1,
 * and the figures measure the load generator rather than the server.
 */
export interface LoadgenBusy {
  readonly cpuMs: number;
  readonly wallMs: number;
  readonly busy: number;
}

/** MonotonicWindow bounds the measured part in CLOCK_MONOTONIC microseconds, the clock V8's CPU profiles use. */
export interface MonotonicWindow {
  readonly startUs: number;
  readonly endUs: number;
}

export interface FanoutResult {
  readonly kind: 'fanout';
  readonly clients: number;
  readonly rounds: number;
  readonly delivered: number;
  readonly expected: number;
  /** Answers that were not a 200 carrying the round's message, or connections lost. */
  readonly failures: number;
  readonly delay: DelayFigures;
  /** Per measured round: from just before the POST to the last client's answer. */
  readonly roundMs: readonly number[];
  readonly cpu: CpuFigures;
  /** Over the measured rounds, from each POST to its round's last delivery. */
  readonly loadgen: LoadgenBusy;
  readonly window: MonotonicWindow;
}

export interface ThroughputResult {
  readonly kind: 'throughput';
  readonly pollers: number;
  readonly publishers: number;
  /** From the first post to the last accepted post's answer. */
  readonly postingMs: number;
  readonly accepted: number;
  /** Posts answered with anything but 201, by status. */
  readonly refused: Readonly<Record<string, number>>;
  readonly acceptedPerSec: number;
  readonly deliveries: number;
  readonly expectedDeliveries: number;
  /** Poll answers that carried messages: deliveries ÷ answers is how much the server batches. */
  readonly answers: number;
  /** From the first post to the last delivery. */
  readonly deliveringMs: number;
  readonly deliveriesPerSec: number;
  /** Accepted messages some poller never got (gaps in its ids, or not reached before the drain timeout). */
  readonly missed: number;
  /** Messages a poller got twice, or a publisher's sequence numbers out of order. */
  readonly duplicates: number;
  readonly outOfOrder: number;
  /** Poll answers that were not 200, or connections lost. */
  readonly failures: number;
  readonly delay: DelayFigures;
  readonly cpu: CpuFigures;
  /** From the first post to the last delivery. */
  readonly loadgen: LoadgenBusy;
}

/**
 * usPerAnswer is a throughput run's server CPU per poll answer, the posts'
 * share included: what one poll cycle costs, whatever the answers carried.
 * CPU per delivery is that ÷ messages per answer, and how many messages an
 * answer carries is set by how fast the load generator polls again, which
 * drifts from run to run as much as the server's own cost does.
 */
export function usPerAnswer(result: Pick<ThroughputResult, 'answers'> & { readonly cpu: Pick<CpuFigures, 'userSysMs'> }): number {
  return (result.cpu.userSysMs * 1000) / result.answers;
}

export interface MemoryResult {
  readonly kind: 'memory';
  readonly polls: number;
  readonly idleKiB: number;
  readonly heldKiB: number;
  readonly afterCloseKiB: number;
  /** The most RSS the process had at once up to the after-close reading (VmHWM). */
  readonly peakKiB: number;
  /** (held − idle) ÷ polls. */
  readonly kibPerPoll: number;
  /** afterClose ÷ idle − 1: 0.05 means 5 % above idle. */
  readonly afterCloseVsIdle: number;
}

export interface AftermathResult {
  readonly kind: 'aftermath';
  /** The throughput scenario on the fresh process. */
  readonly fresh: ThroughputResult;
  readonly memory: MemoryResult;
  /** The same again, once the memory scenario's polls have come and gone. */
  readonly after: ThroughputResult;
  /** after ÷ fresh server CPU per delivery: 1 is no slow-down. */
  readonly slowdown: number;
}

export interface FlowResult {
  readonly kind: 'flow';
  readonly packets: number;
  readonly stages: number;
  /** Median of the runs: packets per second from the inport to the sink. */
  readonly networkPerSec: number;
  /** The same handlers wired by direct calls. */
  readonly directPerSec: number;
  /** The network with tracing on, no request traced: what every request pays for tracing. */
  readonly tracingIdlePerSec: number;
  /** The same while some other request is traced: each hop asks whether its packet is. */
  readonly tracingBusyPerSec: number;
  /** What the network adds per packet per connection, in nanoseconds. */
  readonly nsPerHop: number;
}

export type ServerResult = FanoutResult | ThroughputResult | MemoryResult | AftermathResult;
export type JobResult = ServerResult | FlowResult;

/** LoadgenOutput is the load generator's one machine-readable line, after RESULT_PREFIX. */
export interface LoadgenOutput {
  readonly result: JobResult;
  /** Share of all CPUs' time that went to other processes while the job ran. */
  readonly othersShare: number;
}

/** RESULT_PREFIX starts the load generator's one machine-readable stdout line. */
export const RESULT_PREFIX = 'LOADGEN_RESULT ';
