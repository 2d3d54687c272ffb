/**
 * stack: everything the page talks to in production, on free loopback
 * ports: the backend, nginx with the project's nginx.conf in front of it,
 * and a browser.
 */
import type { Browser } from 'playwright-core';
import { startNginx, type RunningNginx } from '../../scripts/nginx-process.ts';
import { startBackend, type Backend } from './backend.ts';
import { launchBrowser } from './browser.ts';
import { writeGraphCopy, type Setting } from './graph-copy.ts';
import { freePort } from './net.ts';

/** Stack is a running backend + nginx + browser; `origin` is nginx's. */
export interface Stack {
  origin: string;
  backend: Backend;
  nginx: RunningNginx;
  browser: Browser;
  /** stopBackend sends the backend SIGTERM and resolves with its exit code. */
  stopBackend(): Promise<number | null>;
  /** startBackend starts a new backend on the same port (a new epoch). */
  startBackend(): Promise<void>;
  stop(): Promise<void>;
}

/** StackOptions: graph.json's initial packets to change for this stack's backend. */
export interface StackOptions {
  settings?: readonly Setting[];
}

/** startStack starts the three; whatever started is stopped again if one fails. */
export async function startStack({ settings = [] }: StackOptions = {}): Promise<Stack> {
  const started: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const stopOne of [...started].reverse()) await stopOne().catch(() => undefined);
  };
  try {
    let graph: string | undefined;
    if (settings.length > 0) {
      const copy = await writeGraphCopy(settings);
      started.push(() => copy.remove());
      graph = copy.path;
    }
    const backendPort = await freePort();
    let backend = await startBackend(backendPort, { graph });
    started.push(() => backend.stop());
    const nginx = await startNginx({ port: await freePort(), upstreamPort: backendPort });
    started.push(() => nginx.stop());
    const browser = await launchBrowser();
    started.push(() => browser.close());
    return {
      origin: nginx.url,
      get backend() {
        return backend;
      },
      nginx,
      browser,
      stopBackend: () => backend.stop(),
      async startBackend() {
        backend = await startBackend(backendPort, { graph });
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
