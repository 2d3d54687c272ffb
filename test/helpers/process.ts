import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.ts';
import { projectStoreEnv } from './project-store.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const BASE_PATH = '/gochat/chat';
const RUNNING = 'flowchat is running at';

/** ServerProcess is flowchat started as users start it, in a process of its own. */
export interface ServerProcess {
  readonly child: ChildProcess;
  readonly port: number;
  /** http://127.0.0.1:PORT/gochat/chat: PROTOCOL.md's B. */
  readonly base: string;
  readonly output: () => { stdout: string; stderr: string };
  /** Resolves with the exit code once the process has ended. */
  readonly exited: Promise<number | null>;
  /** Sends SIGTERM (SIGKILL after 10 s) and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** NODE_START is what `npm start` runs, without npm in between. */
export const NODE_START = ['node', '--import', 'tsx', 'src/main.ts'];
export const NPM_START = ['npm', 'start', '--silent'];

export interface ServerProcessOptions {
  /** Environment on top of this process's; PORT is a free one unless given. */
  readonly env?: Record<string, string>;
  readonly command?: readonly string[];
}

/**
 * spawnServer starts flowchat (by default as `npm start` does, without npm)
 * and waits for its "running at" line; if it exits first, the promise
 * resolves anyway so a test can read why.
 */
export async function spawnServer({ env = {}, command = NODE_START }: ServerProcessOptions = {}): Promise<ServerProcess> {
  // A PORT the test gives is passed on as it is, even one the server must refuse.
  const portSetting = env.PORT ?? String(await freePort());
  const port = Number(portSetting);
  const [file, ...args] = command as [string, ...string[]];
  const child = spawn(file, args, {
    cwd: REPO,
    env: { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...projectStoreEnv(), ...env, PORT: portSetting },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if (stdout.includes(RUNNING)) done();
    }, 20);
    const done = (): void => {
      clearInterval(check);
      resolve();
    };
    void exited.then(done);
  });
  let stopping: Promise<number | null> | undefined;
  return {
    child,
    port,
    base: `http://127.0.0.1:${port}${BASE_PATH}`,
    output: () => ({ stdout, stderr }),
    exited,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(timer);
        }
        return child.exitCode;
      })();
      return stopping;
    },
  };
}

/**
 * startServerProcess is spawnServer for a test that needs the server up: it
 * throws, with the server's output, when the server exits instead. The
 * "running at" line, not an open port, says it is ours: an answer on the
 * port could come from another process holding it.
 */
export async function startServerProcess(options: ServerProcessOptions = {}): Promise<ServerProcess> {
  const server = await spawnServer(options);
  if (!server.output().stdout.includes(RUNNING)) {
    const { stdout, stderr } = server.output();
    throw new Error(`flowchat on port ${server.port} did not start (exit ${await server.exited}):\n${stdout}${stderr}`);
  }
  return server;
}
