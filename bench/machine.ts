import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release } from 'node:os';

/** Machine describes where a run was made: figures mean little without it. */
export interface Machine {
  readonly cpuModel: string;
  readonly cpus: number;
  readonly node: string;
  readonly kernel: string;
}

/** describeMachine reads the CPU model from /proc/cpuinfo, as the README's table cites it. */
export function describeMachine(): Machine {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
    if (line !== undefined) cpuModel = line.slice(line.indexOf(':') + 1).trim();
  } catch {
    // Not Linux: os.cpus() already gave the model.
  }
  return { cpuModel, cpus: cpus().length, node: process.version, kernel: release() };
}

/** Source names the code a run measured: figures of a dirty tree cannot be reproduced from the commit alone. */
export interface Source {
  readonly commit: string;
  /** Files changed since the commit (bench/ and test/ excepted): the server measured is not exactly the commit. */
  readonly dirty: readonly string[];
}

/** describeSource asks git for HEAD and the uncommitted changes that touch the server. */
export function describeSource(root: string): Source {
  const git = (...args: string[]): string => {
    try {
      return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      return '';
    }
  };
  const dirty = git('status', '--porcelain', '--', 'src', 'components', 'graph.json', 'package.json', 'package-lock.json')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.slice(3)); // porcelain: two status letters and a space, then the path
  return { commit: git('rev-parse', '--short', 'HEAD').trim() || 'unknown', dirty };
}
