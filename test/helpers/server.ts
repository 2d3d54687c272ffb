import http from 'node:http';
import { createApp, type App, type AppOptions } from '../../src/app/app.ts';
import { readSettings } from '../../src/app/settings.ts';
import type { Answer, AnyBody } from './bodies.ts';
import { openPostingGraphFile } from './graph-file.ts';
import { projectStoreEnv } from './project-store.ts';

/** TestServer is flowchat running in this process on an ephemeral loopback port. */
export interface TestServer {
  readonly app: App;
  readonly origin: string;
  /** origin + base path: PROTOCOL.md's B. */
  readonly base: string;
  close(): Promise<void>;
}

/**
 * startServer runs the real app with quiet logs, on graph.json with open
 * posting unless GRAPH names another graph (tests of sessions pass their own).
 * Sessions are not rate-limited, as every test signs in from one address;
 * the tests of that limit set SESSION_RATE_LIMIT.
 */
export async function startServer(env: Record<string, string> = {}, options: AppOptions & { beforeListen?: (app: App) => void } = {}): Promise<TestServer> {
  const settings = readSettings({ PORT: '0', LOG_LEVEL: 'silent', GRAPH: openPostingGraphFile(), SESSION_RATE_LIMIT: '0', ...projectStoreEnv(), ...env });
  const app = await createApp(settings, options);
  // Routes and listeners a test adds to fastify must come before it listens.
  options.beforeListen?.(app);
  const origin = await app.listen();
  return { app, origin, base: origin + settings.basePath, close: () => app.shutdown() };
}

/**
 * AT_ONCE_MS tells "answered at once" from "held until its timeout", with
 * room for a loaded machine: well below the 25 s and longer timeouts of the
 * polls it bounds. How fast is the benchmark's question, not the tests'.
 */
export const AT_ONCE_MS = 10_000;

export type { Answer } from './bodies.ts';

/** TimedAnswer is an answer from a server and how long it took to come. */
export interface TimedAnswer extends Answer {
  readonly ms: number;
}

/** call makes one request with fetch and reads the JSON answer. */
export async function call(url: string, init: RequestInit = {}): Promise<TimedAnswer> {
  const started = performance.now();
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : null) as AnyBody, ms: performance.now() - started };
}

/** postJson posts a JSON body to B. */
export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<TimedAnswer> {
  return call(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/**
 * openPoll starts a poll over its own socket and returns a way to drop the
 * connection before the answer comes, as a closed browser tab would.
 */
export function openPoll(url: string, headers: Record<string, string> = {}, localAddress?: string): { answer: Promise<TimedAnswer>; disconnect(): void } {
  const started = performance.now();
  const agent = new http.Agent({ keepAlive: false });
  const request = http.get(url, { agent, headers, ...(localAddress === undefined ? {} : { localAddress }) });
  const answer = new Promise<TimedAnswer>((resolve, reject) => {
    request.on('error', reject);
    request.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(response.headers)) if (typeof value === 'string') headers.set(name, value);
        resolve({ status: response.statusCode ?? 0, headers, body: JSON.parse(text) as AnyBody, ms: performance.now() - started });
      });
    });
  });
  return {
    answer,
    disconnect() {
      answer.catch(() => undefined);
      request.destroy();
    },
  };
}

/** waitFor polls a condition until it holds or the time is up. */
export async function waitFor(condition: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** heldPolls reads /health's count of held polls. */
export async function heldPolls(base: string): Promise<number> {
  return (await call(`${base}/health`)).body.heldPolls;
}
