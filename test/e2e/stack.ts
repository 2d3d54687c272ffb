/**
 * stack: everything the page talks to in production, on free loopback
 * ports: the backend, nginx with the project's nginx.conf in front of it,
 * and a browser.
 */
import type { Browser } from 'playwright-core';
import { startNginx, type RunningNginx } from '../../scripts/nginx-process.ts';
import { defaultGraph, setInitial, writeGraph } from '../helpers/graph-file.ts';
import { freePort } from '../helpers/ports.ts';
import { startServerProcess, type ServerProcess } from '../helpers/process.ts';
import { launchBrowser } from './browser.ts';

/** Stack is a running backend + nginx + browser; `origin` is nginx's. */
export interface Stack {
  origin: string;
  /** The backend's graph file, which a test may rewrite before sending it SIGHUP. */
  graphFile: string;
  backend: ServerProcess;
  nginx: RunningNginx;
  browser: Browser;
  /** stopBackend sends the backend SIGTERM and resolves with its exit code. */
  stopBackend(): Promise<number | null>;
  /** startBackend starts a new backend on the same port (a new epoch). */
  startBackend(): Promise<void>;
  stop(): Promise<void>;
}

/** Setting is one initial packet of graph.json to change: the value `data` for `process`.`port`. */
export interface Setting {
  process: string;
  port: string;
  data: unknown;
}

/** StackOptions: graph.json's initial packets to change for this stack's backend, and more of its environment, made knowing nginx's origin. */
export interface StackOptions {
  settings?: readonly Setting[];
  env?: (origin: string) => Promise<Record<string, string>> | Record<string, string>;
}

/** startStack starts the three; whatever started is stopped again if one fails. */
export async function startStack({ settings = [], env: moreEnv }: StackOptions = {}): Promise<Stack> {
  const started: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const stopOne of [...started].reverse()) await stopOne().catch(() => undefined);
  };
  try {
    const graph = defaultGraph();
    for (const { process, port, data } of settings) setInitial(graph, process, port, data);
    const nginxPort = await freePort();
    // Rate limiting off: the tests post and sign in faster than people do, all from one address.
    const env = {
      PORT: String(await freePort()),
      RATE_LIMIT: '0',
      SESSION_RATE_LIMIT: '0',
      GRAPH: writeGraph(graph),
      ...(await moreEnv?.(`http://127.0.0.1:${nginxPort}`)),
    };
    let backend = await startServerProcess({ env });
    started.push(() => backend.stop());
    const nginx = await startNginx({ port: nginxPort, backends: [`127.0.0.1:${backend.port}`] });
    started.push(() => nginx.stop());
    const browser = await launchBrowser();
    started.push(() => browser.close());
    return {
      origin: nginx.url,
      graphFile: env.GRAPH,
      get backend() {
        return backend;
      },
      nginx,
      browser,
      stopBackend: () => backend.stop(),
      async startBackend() {
        backend = await startServerProcess({ env });
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
