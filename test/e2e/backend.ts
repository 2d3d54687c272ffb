/**
 * backend: the real chat server as a child process (`tsx src/main.ts`), on
 * a port of the test's choosing and with rate limiting off, ready once its
 * health endpoint answers. `graph` runs another graph file than graph.json.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const BASE_PATH = '/gochat/chat';

/** Backend is a running server; stop() sends SIGTERM and resolves with its exit code. */
export interface Backend {
  port: number;
  /** Output so far (stdout and stderr), for failure messages. */
  output(): string;
  stop(): Promise<number | null>;
}

/** Health is the body of GET B/health (PROTOCOL.md "Operations"). */
export interface Health {
  status: string;
  epoch: string;
  uptimeMs: number;
  heldPolls: number;
  rooms: number;
}

/** BackendOptions: the graph file to run (default graph.json) and how long to wait for health. */
export interface BackendOptions {
  graph?: string;
  timeoutMs?: number;
}

/** startBackend starts the server on `port` and waits until it is healthy. */
export async function startBackend(port: number, { graph, timeoutMs = 30_000 }: BackendOptions = {}): Promise<Backend> {
  const child = spawn(`${REPO}node_modules/.bin/tsx`, ['src/main.ts'], {
    cwd: REPO,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      BASE_PATH,
      RATE_LIMIT: '0',
      LOG_LEVEL: 'warn',
      ...(graph === undefined ? {} : { GRAPH: graph }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  let stopping: Promise<number | null> | undefined;
  const backend: Backend = {
    port,
    output: () => output,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        const code = await exited;
        clearTimeout(timer);
        return code;
      })();
      return stopping;
    },
  };

  // The server prints this line once it listens. Until then a healthy
  // answer on the port could come from another process holding it, and the
  // test would talk to a stranger's server.
  const listening = () => output.includes('flowchat is running at');
  const deadline = Date.now() + timeoutMs;
  while (!listening() || (await health(port).catch(() => null))?.status !== 'ok') {
    if (child.exitCode !== null || Date.now() > deadline) {
      await backend.stop();
      throw new Error(`backend on port ${port} did not become healthy:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return backend;
}

/** health fetches GET B/health straight from the backend. */
export async function health(port: number): Promise<Health> {
  const response = await fetch(`http://127.0.0.1:${port}${BASE_PATH}/health`);
  if (!response.ok) throw new Error(`health answered ${response.status}`);
  return (await response.json()) as Health;
}
