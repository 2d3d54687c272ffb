import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sourceLines, unbundled, type SourceLines } from './profile-sources.ts';
import type { MonotonicWindow } from './types.ts';

/**
 * Reading a V8 .cpuprofile (what `node --cpu-prof` writes): self time per
 * function, summed over every node of the call tree with the same function
 * name and source line. Sample i lasts until sample i+1 (timeDeltas[i+1]).
 * Several call-tree nodes of one function (reached by different callers)
 * add up to one entry.
 */

const IDLE = '(idle)';
const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  /** 0-based, as V8 writes them. */
  readonly lineNumber: number;
  readonly columnNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** SelfTime is one function's share of the sampled time. */
export interface SelfTime {
  /** `name url:line`, the line 1-based. */
  readonly function: string;
  readonly selfMs: number;
  /** Of the busy time: the sampled time in the window less (idle). */
  readonly percent: number;
}

/** OriginTime is the self time of all the code of one origin (see originOf). */
export interface OriginTime {
  readonly origin: string;
  readonly selfMs: number;
  /** Of the busy time. */
  readonly percent: number;
}

export interface ProfileSummary {
  readonly file: string;
  /** Sampled time in the window, and how much of it the process was idle. */
  readonly sampledMs: number;
  readonly idleMs: number;
  readonly top: readonly SelfTime[];
  /** The busy time by whose code ran, largest first: every origin, so they add up to 100 %. */
  readonly origins: readonly OriginTime[];
}

/** The origins every profile is split into besides the packages, named once for the table's rows. */
export const ORIGIN = {
  own: 'own code',
  node: "Node's JavaScript (node:http, streams, timers…)",
  native: 'native calls (writev, close…)',
  gc: '(garbage collector)',
  program: '(program)',
} as const;

/**
 * originOf says whose code a sample ran: the server's own (a file of this
 * repository outside node_modules), a package's (by its name), Node's
 * JavaScript (node: URLs), a native function (no URL: writev, close, a
 * RegExp), or V8's own time. What separates flowchat from the bare server
 * is read from this split: both pay Node's and V8's share per delivery.
 */
export function originOf(frame: Pick<CallFrame, 'functionName' | 'url'>): string {
  if (frame.functionName === IDLE) return IDLE;
  if (frame.functionName === '(garbage collector)') return ORIGIN.gc;
  if (frame.url === '') return frame.functionName === '(program)' || frame.functionName === '(root)' ? ORIGIN.program : ORIGIN.native;
  if (frame.url.startsWith('node:')) return ORIGIN.node;
  // A package nested in another's node_modules is its own: the innermost one ran.
  const packaged = [...frame.url.matchAll(/\/node_modules\/((?:@[^/]+\/)?[^/]+)(?=\/)/g)].at(-1);
  return packaged === undefined ? ORIGIN.own : `package ${packaged[1] as string}`;
}

/**
 * mainThreadProfile finds the profile of a process's main thread. Node names
 * them CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; thread 0 is the
 * main one (tsx's loader runs in a worker thread, which writes its own).
 */
export function mainThreadProfile(folder: string, pid: number): string | undefined {
  const name = new RegExp(`^CPU\\.\\d+\\.\\d+\\.${pid}\\.0\\.\\d+\\.cpuprofile$`);
  const files = readdirSync(folder).filter((f) => name.test(f));
  return files.map((f) => path.join(folder, f)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

/**
 * topSelfTime sums self time per function, and per origin, over the samples that fall in
 * `window` (all samples when it is absent): start-up and shutdown are not
 * what the scenario measures.
 */
export async function topSelfTime(file: string, count: number, window?: MonotonicWindow): Promise<ProfileSummary> {
  const sources = await sourceLines();
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const frames = new Map(profile.nodes.map((n) => [n.id, unbundled(n.callFrame)]));
  const totals = new Map<string, number>();
  const byOrigin = new Map<string, number>();
  let sampledUs = 0;
  let idleUs = 0;
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    const lasts = profile.timeDeltas[i + 1] ?? 0;
    if (window !== undefined && (at < window.startUs || at > window.endUs)) continue;
    const frame = frames.get(profile.samples[i] as number);
    if (frame === undefined) continue;
    const key = label(frame, sources);
    totals.set(key, (totals.get(key) ?? 0) + lasts);
    const origin = originOf(frame);
    byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + lasts);
    sampledUs += lasts;
    if (key === IDLE) idleUs += lasts;
  }
  const busyUs = sampledUs - idleUs;
  // Idle is no function's time; (garbage collector) and (program) are kept, they are the server's work.
  const busiest = (times: Map<string, number>): [string, number][] => [...times].filter(([key]) => key !== IDLE).sort((a, b) => b[1] - a[1]);
  const share = (us: number): { selfMs: number; percent: number } => ({ selfMs: us / 1000, percent: (100 * us) / busyUs });
  const top = busiest(totals)
    .slice(0, count)
    .map(([fn, us]) => ({ function: fn, ...share(us) }));
  const origins = busiest(byOrigin).map(([origin, us]) => ({ origin, ...share(us) }));
  return { file, sampledMs: sampledUs / 1000, idleMs: idleUs / 1000, top, origins };
}

function label(frame: CallFrame, sources: SourceLines): string {
  const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
  if (frame.url === '') return name;
  // Paths inside the repository read better relative; node: and file: prefixes add nothing.
  const where = frame.url.replace(/^file:\/\//, '').replace(ROOT, '');
  const line = sources.lineOf(frame.url, frame.lineNumber, frame.columnNumber, frame.functionName);
  // Without a source line, the column tells apart the functions of a minified line.
  if (line !== undefined) return `${name} ${where}:${line}`;
  return frame.lineNumber === 0 ? `${name} ${where}:1:${frame.columnNumber + 1}` : `${name} ${where}:${frame.lineNumber + 1}`;
}
