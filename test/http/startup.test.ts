import { once } from 'node:events';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { defaultGraph, writeGraph } from '../helpers/graph-file.ts';
import { NODE_START, NPM_START, spawnServer } from '../helpers/process.ts';
import { freePort } from '../helpers/ports.ts';
import { onRedis } from '../helpers/project-store.ts';
import { roomIn } from '../helpers/bodies.ts';
import { as, bearer, signIn } from '../helpers/sessions.ts';
import { AT_ONCE_MS, call, heldPolls, openPoll, waitFor } from '../helpers/server.ts';

/**
 * beginRequest sends a request's line and headers but not the blank line
 * that ends them; finish() sends it and reads the whole answer (the server
 * closes the connection after it).
 */
async function beginRequest(base: string, path: string): Promise<{ finish(): Promise<{ head: string; body: string }> }> {
  const url = new URL(base + path);
  const socket = net.connect(Number(url.port), url.hostname);
  await once(socket, 'connect');
  socket.write(`GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\n`);
  let text = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  const ended = once(socket, 'close');
  return {
    async finish() {
      socket.write('\r\n');
      await ended;
      const [head = '', body = ''] = text.split('\r\n\r\n');
      return { head, body };
    },
  };
}

describe('start-up', () => {
  it('prints one line with the URL and serves', async () => {
    const server = await spawnServer();
    try {
      const { stdout } = server.output();
      const storage = onRedis() ? 'Redis at redis:\\/\\/127\\.0\\.0\\.1:\\d+' : 'memory';
      expect(stdout).toMatch(new RegExp(`^flowchat is running at http://127\\.0\\.0\\.1:\\d+/gochat/ \\(chat API: http://127\\.0\\.0\\.1:\\d+/gochat/chat; storage: ${storage}\\)$`, 'm'));
      expect((await call(`${server.base}/health`)).body.status).toBe('ok');
    } finally {
      await server.stop();
    }
  });

  it('refuses a bad graph as a whole, exiting non-zero with every problem and its fix', async () => {
    const graph = defaultGraph();
    graph.processes.Storage = { component: 'Storag' };
    const index = graph.connections.push({ src: { process: 'Router', port: 'graph' }, tgt: { process: 'Controller', port: 'in' } }) - 1;
    const server = await spawnServer({ env: { GRAPH: writeGraph(graph) } });
    expect(await server.exited).toBe(2);
    const { stderr } = server.output();
    expect(stderr).toContain("Storage: uses component 'Storag', which does not exist; the components in components/ are:");
    expect(stderr).toContain(`Router.graph (connections[${index}]): is already connected to Inspector.in`);
  });

  it('stops with a clear message, exiting 2, when the Redis of REDIS_URL cannot be reached', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const server = await spawnServer({ env: { REDIS_URL: url } });
    expect(await server.exited).toBe(2);
    expect(server.output().stdout).not.toContain('running at');
    expect(server.output().stderr).toContain(`Redis at ${url} cannot be reached (`);
    expect(server.output().stderr).toContain('start Redis there, correct REDIS_URL, or unset REDIS_URL');
  });

  it('refuses malformed graph JSON with its line and column', async () => {
    const server = await spawnServer({ env: { GRAPH: writeGraph('{\n  "processes": {,\n}') } });
    expect(await server.exited).toBe(2);
    expect(server.output().stderr).toMatch(/graph\.json:2:17: is not valid JSON/);
  });

  it.each([
    ['PORT', 'http', 'PORT="http": must be an integer from 0 to 65535'],
    ['RATE_LIMIT', '-1', 'RateLimit.limit: is set by RATE_LIMIT="-1", but the port takes integer that must be between 0 and 1000000; set RATE_LIMIT to a valid integer'],
    ['MAX_HELD_POLLS', '0', 'Storage.maxHeldPolls: is set by MAX_HELD_POLLS="0", but the port takes integer that must be between 1 and 1000000'],
    ['BASE_PATH', 'chat/', 'BASE_PATH="chat/": must be a path such as /gochat/chat'],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL="loud": must be one of'],
  ])('refuses a bad %s, naming it', async (name, value, message) => {
    const server = await spawnServer({ env: { [name]: value } });
    expect(await server.exited).toBe(2);
    expect(server.output().stderr).toContain(message);
  });
});

describe('npm start', () => {
  // /proc/<pid>/environ holds the environment a process started with: what glibc read.
  const serverEnvironment = async (npmPid: number): Promise<string[]> => {
    const { readFile } = await import('node:fs/promises');
    const children = (await readFile(`/proc/${npmPid}/task/${npmPid}/children`, 'utf8')).trim().split(/\s+/);
    const environments = await Promise.all(children.map((pid) => readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '')));
    const server = environments.find((environ) => environ.split('\0').includes('LOG_LEVEL=warn'));
    return (server ?? '').split('\0');
  };

  const expectArenas = async (value: string | undefined, expected: string): Promise<void> => {
    const server = await spawnServer({ env: value === undefined ? {} : { MALLOC_ARENA_MAX: value }, command: NPM_START });
    try {
      expect(await serverEnvironment(server.child.pid as number)).toContain(expected);
    } finally {
      await server.stop();
    }
  };

  it('runs the compiled server (dist/, which npm ci and npm start build) with plain node, the allocator addon found', async ({ skip }) => {
    skip(process.platform !== 'linux', 'reads /proc, which only Linux has');
    const server = await spawnServer({ command: NPM_START });
    try {
      const { readFile } = await import('node:fs/promises');
      const npmPid = server.child.pid as number;
      const children = (await readFile(`/proc/${npmPid}/task/${npmPid}/children`, 'utf8')).trim().split(/\s+/);
      const commands = await Promise.all(children.map((pid) => readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')));
      const node = commands.map((c) => c.split('\0')).find((argv) => argv.includes('dist/src/main.js'));
      expect(node?.filter((arg) => arg !== '')).toEqual([expect.stringMatching(/node$/), 'dist/src/main.js']);
      expect((await call(`${server.base}/health`)).status).toBe(200);
      // Without the addon the server warns that memory will stay resident.
      expect(server.output().stdout).not.toContain('will stay resident');
    } finally {
      await server.stop();
    }
  });

  it('runs the whole chat from the bundle: the page, every component, the modules it loads when asked, and on Redis its Lua scripts', async () => {
    // An OTLP endpoint makes the server load its OpenTelemetry chunk at start; nothing listens there.
    const server = await spawnServer({ command: NPM_START, env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await freePort()}` } });
    try {
      const page = await fetch(new URL('/gochat/', server.base));
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<html');
      const token = await signIn(server.base, 'alice');
      const alice = as(server.base, token);
      const room = roomIn(await alice.post('/rooms', { private: true, members: [] })).name;
      const joined = (await alice.get(`?room=${room}&since=0`)).body;
      expect(joined.messages.map((m) => m.type)).toEqual(['join']);
      const poll = openPoll(`${server.base}?room=${room}&since=${joined.next}`, bearer(token));
      await waitFor(async () => (await heldPolls(server.base)) === 1);
      expect((await alice.post(`?room=${room}`, { text: 'from the bundle' })).status).toBe(201);
      expect((await poll.answer).body.messages.map((m) => [m.author, m.text])).toEqual([['alice', 'from the bundle']]);
      const bob = as(server.base, await signIn(server.base, 'bob'));
      expect((await bob.get(`/users?room=${room}`)).body.error?.code).toBe('NOT_A_MEMBER');
      expect((await alice.get(`/users?room=${room}`)).body.users.map((u) => u.nick)).toEqual(['alice']);
      expect(server.output().stderr).toBe('');
    } finally {
      await server.stop();
    }
  });

  it('starts the server with two malloc arenas (MALLOC_ARENA_MAX=2)', async ({ skip }) => {
    skip(process.platform !== 'linux', 'reads /proc, which only Linux has');
    await expectArenas(undefined, 'MALLOC_ARENA_MAX=2');
  });

  it('keeps a MALLOC_ARENA_MAX the environment sets', async ({ skip }) => {
    skip(process.platform !== 'linux', 'reads /proc, which only Linux has');
    await expectArenas('4', 'MALLOC_ARENA_MAX=4');
  });
});

describe('shutdown', () => {
  it.each([
    ['node', NODE_START],
    ['npm start', NPM_START],
  ])('on SIGTERM (%s): answers held polls, refuses new requests, exits 0', async (_name, command) => {
    const server = await spawnServer({ command });
    const polls = Array.from({ length: 3 }, (_, i) => openPoll(`${server.base}?timeout=60&room=r${i}`));
    await waitFor(async () => (await heldPolls(server.base)) === 3);
    // A request begun before the signal and finished after it: the server cannot close
    // its connection under it, so its answer shows what a request during shutdown gets.
    const late = await beginRequest(server.base, '/health');
    const signalled = performance.now();
    server.child.kill('SIGTERM');
    const answers = await Promise.all(polls.map((p) => p.answer));
    // Answered by the shutdown, not by their 60 s timeout.
    expect(performance.now() - signalled).toBeLessThan(AT_ONCE_MS);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.map((a) => a.body.messages)).toEqual([[], [], []]);
    const refused = await late.finish();
    expect(refused.head).toMatch(/^HTTP\/1\.1 503 /);
    expect(refused.head).toMatch(/^retry-after: 5$/im);
    expect(refused.head).toMatch(/^cache-control: no-store$/im);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'SHUTTING_DOWN' } });
    expect(await server.exited).toBe(0);
    // Nothing was in flight, so no drain was waited out (it would warn).
    expect(server.output().stdout).not.toContain('did not drain');
  });

  it('on SIGINT exits 0 too', async () => {
    const server = await spawnServer();
    server.child.kill('SIGINT');
    expect(await server.exited).toBe(0);
  });
});
