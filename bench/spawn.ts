import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { readOpenFilesLimit } from './proc.ts';
import { npmStartCommand } from './start-command.ts';
import { RESULT_PREFIX, type LoadgenOutput, type LoadgenTask, type ServerName, type TargetServer } from './types.ts';

/**
 * Starting the processes of a bench run. Each goes through
 * `bash -c 'ulimit -n …; exec taskset -c CPU node …'`: the raised limit lets
 * 10,000+ sockets open, the pinning keeps the server and the load generator
 * off each other's CPU, and `exec` keeps one pid from bash to node, so the
 * pid the harness holds is the server's own (what `npm start` would not give).
 */

/** ROOT is the repository, where flowchat (dist/src/main.js once built) must run. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** SERVER_CPU and LOADGEN_CPU are the CPUs the two sides are pinned to. */
export const SERVER_CPU = 0;
export const LOADGEN_CPU = 1;

/** PINNING says whether processes can be pinned: taskset present and at least two CPUs. */
export const PINNING: { readonly enabled: boolean; readonly why: string } = (() => {
  if (cpus().length < 2) return { enabled: false, why: 'fewer than 2 CPUs' };
  const probe = spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
  return probe.status === 0 ? { enabled: true, why: '' } : { enabled: false, why: 'taskset is missing or refused' };
})();

// 65,536 if allowed; else as high as the hard limit lets (a container may cap it).
const RAISE_OPEN_FILES = 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"';

const quote = (arg: string): string => `'${arg.replaceAll("'", `'\\''`)}'`;

export function spawnPinned(cpu: number, argv: readonly string[], env: NodeJS.ProcessEnv): ChildProcess {
  const pin = PINNING.enabled ? `taskset -c ${cpu} ` : '';
  const script = `${RAISE_OPEN_FILES}; exec ${pin}${argv.map(quote).join(' ')}`;
  return spawn('bash', ['-c', script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
}

/** onLines calls `each` with every complete stdout line of a child. */
export function onLines(child: ChildProcess, each: (line: string) => void): void {
  let partial = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    lines.forEach(each);
  });
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** ServerExit is how a server ended after SIGTERM. */
export interface ServerExit {
  /** 0 for a clean shutdown; null when it had to be killed. */
  readonly code: number | null;
  readonly shutdownMs: number;
}

/** RunningServer is a started server and the way to stop it. */
export interface RunningServer {
  readonly target: TargetServer;
  /** The soft open-files limit it got. */
  readonly openFiles: number;
  /** Sends SIGTERM to its pid (once) and resolves once it has exited (SIGKILL after 15 s). */
  stop(): Promise<ServerExit>;
}

export interface ServerOptions {
  readonly maxHeldPolls: number;
  /** More of flowchat's environment (REDIS_URL, say). */
  readonly env?: Readonly<Record<string, string>>;
  /** Where `--cpu-prof` writes the server's profile; no profiling when absent. */
  readonly profileDir?: string;
}

const BASE_PATH = '/gochat/chat';
const READY = /is running at (http:\/\/[^/\s]+)\//;

let built = false;

/** ensureBuilt compiles flowchat and the other Node servers once per bench run (`npm run build`, quick when nothing changed): they run from dist/. */
function ensureBuilt(): void {
  if (built) return;
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  built = true;
}

/** NodeServerName names the servers that are Node programs; nginx + nchan starts in bench/peers/nchan.ts. */
export type NodeServerName = Exclude<ServerName, 'nchan'>;

/** The other Node servers, compiled by `npm run build` beside flowchat: through tsx, each would carry its loader (some 30 MiB) into the figures. */
const SCRIPTS: Readonly<Record<Exclude<NodeServerName, 'flowchat'>, string>> = {
  baseline: 'dist/bench/baseline.js',
  socketio: 'dist/bench/peers/socketio-server.js',
};

/** startServer starts flowchat, the baseline or the socket.io peer on a free loopback port and waits for its ready line. */
export async function startServer(name: NodeServerName, options: ServerOptions): Promise<RunningServer> {
  ensureBuilt();
  // flowchat runs as `npm start` runs it (its node flags and environment defaults); the others with Node's defaults.
  const start = name === 'flowchat' ? npmStartCommand(ROOT, process.env) : { env: {}, nodeArgs: [SCRIPTS[name]] };
  const profile = options.profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`];
  const child = spawnPinned(SERVER_CPU, [process.execPath, ...profile, ...start.nodeArgs], {
    ...process.env,
    ...start.env,
    PORT: '0',
    HOST: '127.0.0.1',
    BASE_PATH,
    RATE_LIMIT: '0',
    SESSION_RATE_LIMIT: '0',
    MAX_HELD_POLLS: String(options.maxHeldPolls),
    LOG_LEVEL: 'warn',
    ...options.env,
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name} could not be started`);
  const origin = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} printed no "is running at" line within 30 s`)), 30_000);
    onLines(child, (line) => {
      const match = READY.exec(line);
      if (match === null) {
        // The server logs (LOG_LEVEL=warn) to stdout; its warnings must not vanish into the pipe.
        if (line !== '') process.stderr.write(`[${name}] ${line}\n`);
        return;
      }
      clearTimeout(timer);
      resolve(match[1] as string);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with code ${code} before it was ready`));
    });
  });
  const url = new URL(origin);
  return {
    target: { name, host: url.hostname, port: Number(url.port), pid, basePath: BASE_PATH },
    openFiles: readOpenFilesLimit(pid),
    stop: stopOnce(child, pid),
  };
}

/** stopOnce makes a server's stop(): SIGTERM to `pid` once, SIGKILL if it has not exited 15 s later; `then` runs after the exit. */
export function stopOnce(child: ChildProcess, pid: number, then?: () => Promise<void>): () => Promise<ServerExit> {
  let stopping: Promise<ServerExit> | undefined;
  return () => {
    stopping ??= (async () => {
      const exit = exited(child);
      const sentAt = Date.now();
      process.kill(pid, 'SIGTERM');
      const timer = setTimeout(() => process.kill(pid, 'SIGKILL'), 15_000);
      const code = await exit;
      clearTimeout(timer);
      const shutdownMs = Date.now() - sentAt;
      await then?.();
      return { code, shutdownMs };
    })();
    return stopping;
  };
}

/** runLoadgen runs one task in a pinned load-generator process and returns its result line. */
export async function runLoadgen(task: LoadgenTask, timeoutMs: number): Promise<LoadgenOutput> {
  const child = spawnPinned(LOADGEN_CPU, [process.execPath, '--import', 'tsx', 'bench/loadgen.ts', JSON.stringify(task)], process.env);
  let result: LoadgenOutput | undefined;
  onLines(child, (line) => {
    if (line.startsWith(RESULT_PREFIX)) result = JSON.parse(line.slice(RESULT_PREFIX.length)) as LoadgenOutput;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await exited(child);
  clearTimeout(timer);
  if (code !== 0 || result === undefined) {
    throw new Error(`the load generator failed on ${task.job.kind} (exit code ${code}); its error is above`);
  }
  return result;
}

/** RunningRedis is a redis-server of a bench run, on the server's CPU. */
export interface RunningRedis {
  readonly pid: number;
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * startRedis starts Debian's redis-server on a port, pinned to the server's
 * CPU (the store is the server's side), with the append-only file on as an
 * operator keeping history would run it, in a folder of its own.
 */
export async function startRedis(port: number, dir: string): Promise<RunningRedis> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', '', '--daemonize', 'no'];
  const child = spawnPinned(SERVER_CPU, ['/usr/bin/redis-server', ...args], process.env);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server on port ${port} did not start within 10 s`)), 10_000);
    onLines(child, (line) => {
      if (!line.includes('Ready to accept connections')) return;
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with code ${code} before it was ready`));
    });
  });
  return {
    pid: child.pid as number,
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      const exit = exited(child);
      child.kill('SIGTERM');
      await exit;
    },
  };
}
