import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sourceLines, type SourceLines } from './profile-sources.ts';
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

export interface ProfileSummary {
  readonly file: string;
  /** Sampled time in the window, and how much of it the process was idle. */
  readonly sampledMs: number;
  readonly idleMs: number;
  readonly top: readonly SelfTime[];
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
 * topSelfTime sums self time per function over the samples that fall in
 * `window` (all samples when it is absent): start-up and shutdown are not
 * what the scenario measures.
 */
export async function topSelfTime(file: string, count: number, window?: MonotonicWindow): Promise<ProfileSummary> {
  const sources = await sourceLines();
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const totals = new Map<string, number>();
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
    sampledUs += lasts;
    if (key === IDLE) idleUs += lasts;
  }
  const busyUs = sampledUs - idleUs;
  // Idle is no function's time; (garbage collector) and (program) are kept, they are the server's work.
  const top = [...totals]
    .filter(([fn]) => fn !== IDLE)
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([fn, us]) => ({ function: fn, selfMs: us / 1000, percent: (100 * us) / busyUs }));
  return { file, sampledMs: sampledUs / 1000, idleMs: idleUs / 1000, top };
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
