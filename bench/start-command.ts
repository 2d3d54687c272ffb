import { readFileSync } from 'node:fs';
import path from 'node:path';

/** StartCommand is how `npm start` runs flowchat: environment defaults, then node's arguments. */
export interface StartCommand {
  /** Variables the script sets, with the value it would give them in `env`. */
  readonly env: Readonly<Record<string, string>>;
  /** What follows `node`: its flags and the script. */
  readonly nodeArgs: readonly string[];
}

const ASSIGNMENT = /^([A-Z_][A-Z0-9_]*)=(.*)$/;
const DEFAULTED = /^\$\{([A-Z_][A-Z0-9_]*):-([^}]*)\}$/;

/**
 * parseStartCommand reads a start script of the form
 * `[NAME=value | NAME=${NAME:-value} …] exec node ARGS…`, resolving each
 * default against `env` as the shell would. The bench starts flowchat from
 * it, so it measures the server exactly as `npm start` runs it (the same
 * node flags, the same MALLOC_ARENA_MAX) without npm and a shell between the
 * harness and the pid it measures.
 */
export function parseStartCommand(script: string, env: Readonly<Record<string, string | undefined>>): StartCommand {
  const words = script.trim().split(/\s+/);
  const vars: Record<string, string> = {};
  let i = 0;
  for (let m = ASSIGNMENT.exec(words[i] ?? ''); m !== null; m = ASSIGNMENT.exec(words[++i] ?? '')) {
    const [, name, value] = m as unknown as [string, string, string];
    const defaulted = DEFAULTED.exec(value);
    if (defaulted !== null && defaulted[1] !== name) {
      throw new Error(`bench/start-command.ts: ${name}=${value} defaults to another variable; write ${name}=\${${name}:-value}`);
    }
    vars[name] = defaulted === null ? value : env[name] || (defaulted[2] as string);
  }
  if (words[i] === 'exec') i++;
  if (words[i] !== 'node' || i + 1 >= words.length) {
    throw new Error(`bench/start-command.ts understands "[NAME=value …] exec node ARGS…", not package.json's start script "${script}"; start flowchat that way or teach the bench the new form`);
  }
  return { env: vars, nodeArgs: words.slice(i + 1) };
}

/** npmStartCommand reads package.json's start script from the repository at `root`. */
export function npmStartCommand(root: string, env: Readonly<Record<string, string | undefined>>): StartCommand {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts?: { start?: string } };
  const script = pkg.scripts?.start;
  if (script === undefined) throw new Error('package.json has no start script for the bench to start flowchat with');
  return parseStartCommand(script, env);
}
