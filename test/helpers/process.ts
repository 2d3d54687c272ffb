import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

/** freePort asks the kernel for a loopback port nobody uses. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** ServerProcess is flowchat started as users start it, in a process of its own. */
export interface ServerProcess {
  readonly child: ChildProcess;
  readonly base: string;
  readonly output: () => { stdout: string; stderr: string };
  /** Resolves with the exit code once the process has ended. */
  readonly exited: Promise<number | null>;
}

const NODE_START = ['node', '--import', 'tsx', 'src/main.ts'];

/**
 * spawnServer starts flowchat (by default as `npm start` does) and waits for
 * its "running at" line; if it exits first, the promise resolves anyway so a
 * test can read why.
 */
export async function spawnServer(env: Record<string, string> = {}, command: string[] = NODE_START): Promise<ServerProcess> {
  const port = env.PORT ?? String(await freePort());
  const [file, ...args] = command as [string, ...string[]];
  const child = spawn(file, args, {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env, PORT: port },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if (stdout.includes('flowchat is running at') || child.exitCode !== null) {
        clearInterval(check);
        resolve();
      }
    }, 20);
    void exited.then(() => {
      clearInterval(check);
      resolve();
    });
  });
  return { child, base: `http://127.0.0.1:${port}/gochat/chat`, output: () => ({ stdout, stderr }), exited };
}
