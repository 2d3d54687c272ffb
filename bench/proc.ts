import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/**
 * A server's CPU time and resident memory, read from /proc/<pid> (Linux
 * only). The harness starts the server with `exec`, so the pid it holds is
 * the server's own and these figures are the server's alone.
 */

/** CLOCK_TICKS_PER_SEC is USER_HZ, the unit of utime and stime in /proc/<pid>/stat. */
export const CLOCK_TICKS_PER_SEC = clockTicks();

function clockTicks(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100; // USER_HZ is 100 on every mainstream Linux build
  }
}

/** CpuReading is a process's CPU time so far, two ways. */
export interface CpuReading {
  /** utime + stime of every thread, in clock ticks. */
  readonly ticks: number;
  /** Run time of every live thread from schedstat, in nanoseconds. */
  readonly schedNs: number;
}

/** readCpu reads a process's CPU time so far. */
export function readCpu(pid: number): CpuReading {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses; count fields after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]); // field 14
  const stime = Number(fields[12]); // field 15
  return { ticks: utime + stime, schedNs: schedNs(pid) };
}

function schedNs(pid: number): number {
  let total = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // A thread that ended between the listing and the read has nothing left to count.
    }
  }
  return total;
}

/** cpuSpentMs turns two readings into milliseconds of user+sys time (ticks) and of run time (schedstat). */
export function cpuSpentMs(before: CpuReading, after: CpuReading): { userSysMs: number; schedMs: number } {
  return {
    userSysMs: ((after.ticks - before.ticks) * 1000) / CLOCK_TICKS_PER_SEC,
    schedMs: (after.schedNs - before.schedNs) / 1e6,
  };
}

/** readRssKiB reads VmRSS from /proc/<pid>/status. */
export function readRssKiB(pid: number): number {
  return statusField(pid, 'VmRSS');
}

/**
 * readPeakRssKiB reads VmHWM from /proc/<pid>/status: the most RSS the
 * process has had at once since it started.
 */
export function readPeakRssKiB(pid: number): number {
  return statusField(pid, 'VmHWM');
}

/** childrenOf lists a process's child pids (nginx's workers), none when it has gone. */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** readOpenFilesLimit reads the soft "Max open files" of a process. */
export function readOpenFilesLimit(pid: number): number {
  const line = readFileSync(`/proc/${pid}/limits`, 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
  const soft = line?.split(/\s{2,}/)[1];
  return soft === undefined || soft === 'unlimited' ? Infinity : Number(soft);
}

function statusField(pid: number, name: string): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status);
  if (match === null) throw new Error(`/proc/${pid}/status has no ${name} line; is the process still running?`);
  return Number(match[1]);
}

/** BusyMeter sums a process's run time (schedstat) over phases; `busy` is CPU time ÷ wall time. */
export class BusyMeter {
  private cpuNs = 0;
  private wallMs = 0;
  private started: { cpuNs: number; at: number } | undefined;

  constructor(private readonly pid: number = process.pid) {}

  start(): void {
    this.started = { cpuNs: readCpu(this.pid).schedNs, at: performance.now() };
  }

  stop(): void {
    if (this.started === undefined) return;
    this.cpuNs += readCpu(this.pid).schedNs - this.started.cpuNs;
    this.wallMs += performance.now() - this.started.at;
    this.started = undefined;
  }

  figures(): { cpuMs: number; wallMs: number; busy: number } {
    return { cpuMs: this.cpuNs / 1e6, wallMs: this.wallMs, busy: this.cpuNs / 1e6 / this.wallMs };
  }
}

/** MachineTicks is /proc/stat's first line: all CPUs' time so far, in clock ticks. */
export interface MachineTicks {
  readonly busy: number;
  readonly total: number;
}

/** readMachineTicks reads the time all CPUs spent busy (anything but idle and iowait) and in all. */
export function readMachineTicks(): MachineTicks {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1, 9).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

/**
 * machineBusy samples /proc/stat for `ms` and returns the share of all CPUs'
 * time spent on anything but idling: before a run, anything above a few
 * percent is another program whose work will show up in the figures.
 */
export async function machineBusy(ms: number): Promise<number> {
  const before = readMachineTicks();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = readMachineTicks();
  return (after.busy - before.busy) / Math.max(1, after.total - before.total);
}

/**
 * OthersMeter tells how much CPU went to processes other than the server and
 * the load generator while a job ran, as a share of all CPUs' time: the part
 * of the figures that is not the bench's.
 */
export class OthersMeter {
  private readonly machine = readMachineTicks();
  private readonly ours: number;

  constructor(private readonly pids: readonly number[]) {
    this.ours = this.oursNs();
  }

  share(): number {
    const machine = readMachineTicks();
    const oursTicks = ((this.oursNs() - this.ours) / 1e9) * CLOCK_TICKS_PER_SEC;
    const total = machine.total - this.machine.total;
    return Math.max(0, machine.busy - this.machine.busy - oursTicks) / Math.max(1, total);
  }

  private oursNs(): number {
    return this.pids.reduce((sum, pid) => sum + readCpu(pid).schedNs, 0);
  }
}

/** ServerProcesses names what a server's CPU is read from: its processes, and the store behind it. */
export interface ServerProcesses {
  readonly pid: number;
  readonly pids?: readonly number[];
  readonly storePid?: number;
}

/** ServerCpu reads a server's CPU (all its processes) and its store's, from start() to spent(). */
export class ServerCpu {
  private readonly pids: readonly number[];
  private readonly before: CpuReading[];
  private readonly storeBefore: CpuReading | undefined;

  constructor(private readonly server: ServerProcesses) {
    this.pids = server.pids ?? [server.pid];
    this.before = this.pids.map(readCpu);
    this.storeBefore = server.storePid === undefined ? undefined : readCpu(server.storePid);
  }

  /** spent gives the server's user+sys and run time since it was made, and the store's run time (if any). */
  spent(): { userSysMs: number; schedMs: number; storeMs?: number } {
    let userSysMs = 0;
    let schedMs = 0;
    this.pids.forEach((pid, i) => {
      const one = cpuSpentMs(this.before[i] as CpuReading, readCpu(pid));
      userSysMs += one.userSysMs;
      schedMs += one.schedMs;
    });
    const { storePid } = this.server;
    if (storePid === undefined || this.storeBefore === undefined) return { userSysMs, schedMs };
    // Run time, not clock ticks: Redis spends microseconds a call, below a tick's resolution over a short job.
    return { userSysMs, schedMs, storeMs: cpuSpentMs(this.storeBefore, readCpu(storePid)).schedMs };
  }
}
