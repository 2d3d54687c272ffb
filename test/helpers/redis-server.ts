import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './ports.ts';

/** REDIS_BINARY is Debian's redis-server (scripts/install-system-deps.sh installs it). */
export const REDIS_BINARY = '/usr/bin/redis-server';

const READY = 'Ready to accept connections';
const START_MS = 10_000;

/**
 * RedisServer is a real redis-server of the test's own: on a loopback port,
 * with its data in a temporary folder and the append-only file on (every
 * write synced), as an operator would run it to keep history.
 */
export interface RedisServer {
  readonly port: number;
  /** redis://127.0.0.1:PORT */
  readonly url: string;
  /** Stops it as an operator would (SIGTERM: it finishes writing its file). */
  stop(): Promise<void>;
  /** Kills it outright, as a crash would. */
  kill(): Promise<void>;
  /** Starts it again on the same port and folder: it reloads its append-only file. */
  start(): Promise<void>;
  /** Stops it for good and removes its folder. */
  remove(): Promise<void>;
}

/** startRedis starts a redis-server and waits until it accepts connections. */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'flowchat-redis-'));
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--daemonize', 'no', '--loglevel', 'notice'];
    const started = spawn(REDIS_BINARY, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server on port ${port} did not start in ${START_MS} ms:\n${output}`)), START_MS);
      const read = (chunk: Buffer): void => {
        output += chunk.toString();
        if (!output.includes(READY)) return;
        clearTimeout(timer);
        resolve();
      };
      started.stdout?.on('data', read);
      started.stderr?.on('data', read);
      started.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server on port ${port} exited with ${code}:\n${output}`));
      });
    });
  }

  async function end(signal: NodeJS.Signals): Promise<void> {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill(signal);
    await exited;
  }

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
    start,
    async remove() {
      await end('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
