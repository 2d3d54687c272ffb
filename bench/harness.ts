import { num } from './table.ts';
import { machineBusy } from './proc.ts';
import { medianBy } from './samples.ts';
import type { Pair } from './report.ts';
import { startNchan } from './peers/nchan.ts';
import { runLoadgen, startServer, type RunningServer, type ServerExit } from './spawn.ts';
import type { FlowJob, FlowResult, LoadgenOutput, ServerJob, ServerName, ServerResult } from './types.ts';

/**
 * Harness runs the jobs of a bench run: each server job against a freshly
 * started server, driven by a load-generator process. It keeps watch on
 * other programs' CPU use, so skewed figures are flagged (and, if asked,
 * measured again), and it collects the servers' exits.
 */

/** BUSY_WARNING is the share of all CPUs' time other programs may take before a job is flagged as skewed. */
export const BUSY_WARNING = 0.05;
// Held polls are answered at once on SIGTERM; an exit slower than this is worth a line.
const SLOW_SHUTDOWN_MS = 2_000;
const JOB_TIMEOUT_MS = 15 * 60_000;

export interface HarnessOptions {
  readonly maxHeldPolls: number;
  /** Before each job, wait until other programs leave the CPUs idle. */
  readonly waitQuiet: boolean;
  /** How often a skewed job is run again. */
  readonly retries: number;
  /** How many times each job runs against each server, alternating between them; the median run is kept. */
  readonly repeat: number;
  /** Where flowchat writes a CPU profile; no profiling when absent. */
  readonly profileDir?: string;
  readonly log: (message: string) => void;
}

interface Attempt<R> {
  readonly result: R;
  readonly othersShare: number;
  readonly openFiles: number;
  readonly pid: number;
  readonly exit: Promise<ServerExit>;
}

export class Harness {
  /** Why some figures may be skewed, as printed under the table. */
  readonly warnings: string[] = [];
  private readonly exits: Promise<unknown>[] = [];

  constructor(private readonly options: HarnessOptions) {}

  /** before checks other programs' CPU use before anything starts. */
  async before(): Promise<number> {
    const busy = await machineBusy(1_000);
    if (busy > BUSY_WARNING) this.warn(`other programs kept the CPUs ${num(100 * busy)}% busy when the run began`);
    return busy;
  }

  /**
   * pair runs one job against each server, `repeat` times, alternating
   * between the servers so that a slow spell of the machine touches all. A
   * run that other programs skewed is repeated up to `retries` times and the
   * least skewed one kept; of the repeats, `reportedRuns` chooses the ones
   * reported, and every run is in `runs`.
   */
  async pair<R extends ServerResult>(job: ServerJob, label: string, servers: readonly ServerName[]): Promise<Pair<R>> {
    const pair: Pair<R> = { job, results: {}, runs: {}, exitCodes: {}, shutdownMs: {}, openFiles: {}, othersShare: {}, pids: {} };
    const attempts = new Map<ServerName, Attempt<R>[]>(servers.map((name) => [name, []]));
    for (let round = 1; round <= this.options.repeat; round++) {
      const lap = this.options.repeat === 1 ? label : `${label} (run ${round} of ${this.options.repeat})`;
      for (const name of servers) attempts.get(name)?.push(await this.leastSkewed<R>(job, lap, name));
    }
    const reported = reportedRuns(attempts, (run) => keyFigure(run.result));
    for (const [name, runs] of attempts) {
      const chosen = reported.get(name);
      if (chosen === undefined) continue;
      pair.results[name] = chosen.result;
      pair.runs[name] = runs.map((run) => run.result);
      pair.othersShare[name] = chosen.othersShare;
      pair.openFiles[name] = chosen.openFiles;
      pair.pids[name] = chosen.pid;
      this.warnIfShared(`${label} against ${name}`, chosen.othersShare);
      for (const run of runs) {
        this.exits.push(
          run.exit.then((exit) => {
            if (exit.code !== 0) this.options.log(`${name} exited with code ${exit.code} after SIGTERM, not 0`);
            if (exit.shutdownMs > SLOW_SHUTDOWN_MS) this.options.log(`${name} took ${num(exit.shutdownMs / 1000, 1)} s to exit after SIGTERM`);
            if (run !== chosen) return;
            pair.exitCodes[name] = exit.code;
            pair.shutdownMs[name] = exit.shutdownMs;
          }),
        );
      }
    }
    return pair;
  }

  /** flow runs the in-process flow-overhead job in a load-generator process. */
  async flow(job: FlowJob): Promise<{ result: FlowResult; othersShare: number }> {
    await this.settle();
    this.options.log('flow overhead (in the load-generator process)');
    const output = await runLoadgen({ job }, JOB_TIMEOUT_MS);
    this.warnIfShared('flow overhead', output.othersShare);
    return { result: output.result as FlowResult, othersShare: output.othersShare };
  }

  /** finished waits for every stopped server to exit (a profile is written on exit). */
  async finished(): Promise<void> {
    await Promise.allSettled(this.exits);
  }

  /** leastSkewed runs the job, again while other programs skew it (up to `retries` times), and keeps the least skewed run. */
  private async leastSkewed<R extends ServerResult>(job: ServerJob, label: string, name: ServerName): Promise<Attempt<R>> {
    let kept: Attempt<R> | undefined;
    for (let tries = 0; tries <= this.options.retries; tries++) {
      const next = await this.attempt<R>(job, label, name);
      if (kept === undefined || next.othersShare < kept.othersShare) kept = next;
      if (next.othersShare <= BUSY_WARNING) break;
      if (tries < this.options.retries) this.options.log(`other programs took ${num(100 * next.othersShare)}% of the CPUs; running ${label} against ${name} again`);
    }
    return kept as Attempt<R>;
  }

  private async attempt<R extends ServerResult>(job: ServerJob, label: string, name: ServerName): Promise<Attempt<R>> {
    await this.settle();
    this.options.log(`${label} against ${name}`);
    const { maxHeldPolls, profileDir } = this.options;
    const server: RunningServer = name === 'nchan' ? await startNchan() : await startServer(name, { maxHeldPolls, ...(profileDir === undefined ? {} : { profileDir }) });
    const needed = connectionsOf(job) + 100;
    if (server.openFiles < needed) {
      this.options.log(`${name} may open only ${server.openFiles} files, fewer than ${needed}; raise the hard limit (ulimit -Hn)`);
    }
    // The exit is awaited at the end of the run: an idle server winding down does not disturb the next job.
    const stop = (): Promise<ServerExit> => {
      const exit = server.stop();
      this.exits.push(exit);
      return exit;
    };
    let output: LoadgenOutput;
    try {
      output = await runLoadgen({ job, target: server.target }, JOB_TIMEOUT_MS);
    } catch (error) {
      void stop();
      throw error;
    }
    return { result: output.result as R, othersShare: output.othersShare, openFiles: server.openFiles, pid: server.target.pid, exit: stop() };
  }

  /** settle waits, when asked to, until other programs leave the CPUs idle for 2 s (2 min at most). */
  private async settle(): Promise<void> {
    if (!this.options.waitQuiet) return;
    const deadline = Date.now() + 120_000;
    while ((await machineBusy(2_000)) > BUSY_WARNING) {
      if (Date.now() > deadline) {
        this.options.log('the CPUs did not fall quiet within 2 min; going on');
        return;
      }
      this.options.log('waiting for other programs to leave the CPUs idle');
    }
  }

  private warnIfShared(what: string, share: number): void {
    if (share > BUSY_WARNING) this.warn(`other programs took ${num(100 * share)}% of the CPUs during ${what}; its figures are skewed`);
  }

  private warn(warning: string): void {
    this.warnings.push(warning);
    this.options.log(warning);
  }
}

/** keyFigure is what the median run is chosen by: the server's cost per delivery, or per held poll, or its slow-down after holding polls. */
export function keyFigure(result: ServerResult): number {
  switch (result.kind) {
    case 'memory':
      return result.kibPerPoll;
    case 'aftermath':
      return result.slowdown;
    default:
      return result.cpu.usPerDelivery;
  }
}

/**
 * reportedRuns chooses, of each server's repeated runs, the one to report.
 * With flowchat and the baseline it is one round, every server's run of
 * it: the round whose flowchat ÷ baseline ratio of the key figure is the
 * median. A round's runs were made back to back, so a slow spell of the
 * machine touches them all, whereas each server's own median run may come
 * from different spells (this VM's speed changes by a third within a
 * minute: rounds of 82 ÷ 76, 85 ÷ 51 and 61 ÷ 53 µs gave 1.56× as median ÷
 * median, 1.15× as the median round). Without both, each server's median run.
 */
export function reportedRuns<T>(runs: ReadonlyMap<ServerName, readonly T[]>, key: (run: T) => number): Map<ServerName, T> {
  const flowchat = runs.get('flowchat') ?? [];
  const baseline = runs.get('baseline') ?? [];
  if (flowchat.length > 0 && flowchat.length === baseline.length) {
    const rounds = flowchat.map((_, round) => round);
    const median = medianBy(rounds, (round) => key(flowchat[round] as T) / key(baseline[round] as T));
    return new Map([...runs].filter(([, list]) => list.length > median).map(([name, list]) => [name, list[median] as T]));
  }
  return new Map([...runs].filter(([, list]) => list.length > 0).map(([name, list]) => [name, medianBy(list, key)]));
}

function connectionsOf(job: ServerJob): number {
  switch (job.kind) {
    case 'fanout':
      return job.clients;
    case 'throughput':
      return job.pollers + job.publishers;
    case 'memory':
      return job.polls;
    case 'aftermath':
      return Math.max(job.memory.polls, job.throughput.pollers + job.throughput.publishers);
  }
}
