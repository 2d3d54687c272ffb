import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { GraphChanges } from '../../src/runtime/graph-changes.ts';
import { defaultGraph, isEdge, openPostingGraph, setInitial, writeGraph, type GraphJson } from '../helpers/graph-file.ts';
import { capturingLogger } from '../helpers/log-lines.ts';
import { spawnServer } from '../helpers/process.ts';
import { as, bearer, signIn } from '../helpers/sessions.ts';
import { call, heldPolls, openPoll, postJson, startServer, waitFor, type TestServer } from '../helpers/server.ts';

/** A graph file a test rewrites in place, as an operator edits graph.json before `kill -HUP`. */
function graphFile(graph: GraphJson): { file: string; write(next: GraphJson | string): void } {
  const file = writeGraph(graph);
  return { file, write: (next) => writeFileSync(file, typeof next === 'string' ? next : JSON.stringify(next)) };
}

const connect = (graph: GraphJson, src: string, tgt: string): void => {
  const [sp, so] = src.split('.') as [string, string];
  const [tp, to] = tgt.split('.') as [string, string];
  graph.connections.push({ src: { process: sp, port: so }, tgt: { process: tp, port: to } });
};

/** without removes a process and every connection and initial packet that names it. */
function without(graph: GraphJson, name: string): GraphJson {
  delete graph.processes[name];
  graph.connections = graph.connections.filter((c) => c.tgt.process !== name && !(isEdge(c) && c.src.process === name));
  return graph;
}

/** noRateLimit takes RateLimit out, as components/README.md shows: Rooms straight to Storage. */
function noRateLimit(graph: GraphJson): GraphJson {
  without(graph, 'RateLimit');
  connect(graph, 'Rooms.post', 'Storage.post');
  connect(graph, 'Session.rooms', 'Rooms.manage');
  return graph;
}

/** inspectorRenamed replaces the Inspector process by one named Graph: a process removed, one added. */
function inspectorRenamed(graph: GraphJson): GraphJson {
  without(graph, 'Inspector');
  graph.processes.Graph = { component: 'Inspector' };
  connect(graph, 'Router.graph', 'Graph.in');
  connect(graph, 'Graph.out', 'Responder.in');
  return graph;
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(graph: GraphJson, env: Record<string, string> = {}) {
  const edited = graphFile(graph);
  const { logger, lines } = capturingLogger();
  server = await startServer({ GRAPH: edited.file, ...env }, { logger });
  return { ...edited, server, lines, reload: () => server!.app.reload() };
}

const texts = (answer: { body: { messages?: { text: string }[] } }) => (answer.body.messages ?? []).map((m) => m.text);
const processes = async (base: string) => ((await call(`${base}/graph`)).body.processes as { name: string }[]).map((p) => p.name);

describe('reloading the graph (SIGHUP)', () => {
  it('loses and duplicates nothing under load: posts and held polls in several rooms, through three reloads', async () => {
    const { write, reload, server } = await start(openPostingGraph(), { RATE_LIMIT: '0' });
    const rooms = ['one', 'two', 'three', 'four'];
    const perRoom = 30;
    const epochs = new Set<string>();
    // Two readers per room, each polling from where its last answer ended.
    const readers = rooms.flatMap((room) =>
      [1, 2].map(async () => {
        const got: { id: number; text: string }[] = [];
        let since = 0;
        while (got.length < perRoom) {
          const answer = await call(`${server.base}?room=${room}&since=${since}&timeout=30`);
          expect(answer.status).toBe(200);
          epochs.add(answer.body.epoch as string);
          got.push(...(answer.body.messages as { id: number; text: string }[]));
          since = answer.body.next as number;
        }
        return { room, got };
      }),
    );
    await waitFor(async () => (await heldPolls(server.base)) === rooms.length * 2);
    const changes: (GraphChanges | undefined)[] = [];
    for (let i = 0; i < perRoom; i++) {
      await Promise.all(rooms.map((room) => postJson(server.base, { author: 'ann', text: `${room}-${i}`, room })));
      if (i === 5) {
        write(setInitial(openPostingGraph(), 'Storage', 'capacity', 500));
        changes.push(await reload());
      }
      if (i === 15) {
        write(noRateLimit(setInitial(openPostingGraph(), 'Storage', 'capacity', 500)));
        changes.push(await reload());
      }
      if (i === 25) {
        // Not awaited: the posts that follow race the swap.
        write(inspectorRenamed(noRateLimit(openPostingGraph())));
        void reload().then((c) => changes.push(c));
      }
    }
    for (const { room, got } of await Promise.all(readers)) {
      expect(got.map((m) => m.id)).toEqual([...Array(perRoom).keys()].map((i) => i + 1));
      expect(got.map((m) => m.text)).toEqual([...Array(perRoom).keys()].map((i) => `${room}-${i}`));
    }
    expect(epochs.size).toBe(1);
    await waitFor(() => changes.length === 3);
    // capacity 500, kept as it is, then back to its default.
    expect(changes.map((c) => c?.settings.map((s) => s.port))).toEqual([['Storage.capacity'], [], ['Storage.capacity']]);
    expect(changes[1]?.removed).toEqual(['RateLimit']);
    expect(changes[2]?.added).toEqual(['Graph']);
  });

  it('keeps held polls held, and the new graph answers them', async () => {
    const { write, reload, server } = await start(openPostingGraph());
    const rooms = ['held-a', 'held-b', 'held-c'];
    const polls = rooms.map((room) => openPoll(`${server.base}?room=${room}&since=0&timeout=60`));
    await waitFor(async () => (await heldPolls(server.base)) === 3);
    write(inspectorRenamed(noRateLimit(openPostingGraph())));
    await reload();
    expect(await heldPolls(server.base)).toBe(3);
    for (const room of rooms) await postJson(server.base, { author: 'bo', text: `to ${room}`, room });
    const answers = await Promise.all(polls.map((p) => p.answer));
    expect(answers.map(texts)).toEqual(rooms.map((room) => [`to ${room}`]));
    // Answered by the new graph: its Storage sends to the Responder over connections the new graph has.
    expect(await processes(server.base)).toContain('Graph');
  });

  it('applies a changed setting to the running process, keeping its state: rooms, messages and the epoch', async () => {
    const { write, reload, server } = await start(openPostingGraph());
    expect((await postJson(server.base, { author: 'a', text: 'twelve chars', room: 'set' })).status).toBe(201);
    const before = await call(`${server.base}?room=set&since=0`);
    write(setInitial(setInitial(openPostingGraph(), 'SendController', 'maxText', 10), 'Storage', 'capacity', 2));
    const changes = await reload();
    expect(changes?.settings).toEqual([
      { port: 'SendController.maxText', from: 4000, to: 10 },
      { port: 'Storage.capacity', from: 1000, to: 2 },
    ]);
    expect((await postJson(server.base, { author: 'a', text: 'twelve chars', room: 'set' })).body).toMatchObject({ error: { code: 'BAD_TEXT' } });
    for (const text of ['b', 'c']) await postJson(server.base, { author: 'a', text, room: 'set' });
    const after = await call(`${server.base}?room=set&since=0`);
    expect(after.body.epoch).toBe(before.body.epoch);
    expect(after.body).toMatchObject({ truncated: true });
    expect(texts(after)).toEqual(['b', 'c']);
  });

  it('keeps what the processes that stay know: sessions, private rooms, who is where', async () => {
    const { write, reload, server } = await start(defaultGraph());
    const ann = await signIn(server.base, 'ann');
    const bob = await signIn(server.base, 'bob');
    expect((await as(server.base, ann).post('/rooms', { name: 'kept', private: true, members: ['bob'] })).status).toBe(201);
    // Bob is present in the private room while he polls there: his first poll is answered with his own join line.
    const joined = await openPoll(`${server.base}?room=kept&since=0&timeout=60`, bearer(bob)).answer;
    expect(joined.body.messages.map((m) => m.text)).toEqual(['bob joined']);
    const held = openPoll(`${server.base}?room=kept&since=${joined.body.next}&timeout=60`, bearer(bob));
    await waitFor(async () => (await heldPolls(server.base)) === 1);
    expect(((await as(server.base, ann).get('/users?room=kept')).body.users ?? []).map((u) => u.nick)).toContain('bob');
    write(inspectorRenamed(noRateLimit(setInitial(defaultGraph(), 'Session', 'maxFound', 5))));
    expect(await reload()).toMatchObject({ removed: ['RateLimit', 'Inspector'], settings: [{ port: 'Session.maxFound', from: 20, to: 5 }] });
    expect((await as(server.base, ann).get('/session')).body).toMatchObject({ nick: 'ann' });
    expect(((await as(server.base, ann).get('/users?room=kept')).body.users ?? []).map((u) => u.nick)).toContain('bob');
    expect((await as(server.base, ann).post('', { text: 'still private', room: 'kept', private: true })).status).toBe(201);
    expect((await held.answer).body.messages.map((m) => m.text)).toEqual(['still private']);
  });

  it('rewires connections: RateLimit taken out stops limiting at once', async () => {
    const { write, reload, server } = await start(openPostingGraph(), { RATE_LIMIT: '1' });
    expect((await postJson(server.base, { author: 'a', text: 'one', room: 'rw' })).status).toBe(201);
    expect((await postJson(server.base, { author: 'a', text: 'two', room: 'rw' })).status).toBe(429);
    write(noRateLimit(openPostingGraph()));
    const changes = await reload();
    expect(changes).toMatchObject({ removed: ['RateLimit'], added: [] });
    expect(changes?.connected).toEqual(['Rooms.post>Storage.post', 'Session.rooms>Rooms.manage']);
    expect((await postJson(server.base, { author: 'a', text: 'three', room: 'rw' })).status).toBe(201);
    expect((await postJson(server.base, { author: 'a', text: 'four', room: 'rw' })).status).toBe(201);
  });

  it('adds and removes processes: a route whose process went is 404, a new one answers', async () => {
    const { write, reload, server, lines } = await start(openPostingGraph());
    write(without(openPostingGraph(), 'Inspector'));
    expect(await reload()).toMatchObject({ removed: ['Inspector'], disconnected: ['Router.graph>Inspector.in', 'Router.traces>Inspector.traces', 'Inspector.out>Responder.in'] });
    expect((await call(`${server.base}/graph`)).status).toBe(404);
    write(inspectorRenamed(openPostingGraph()));
    expect(await reload()).toMatchObject({ added: ['Graph'], connected: ['Router.graph>Graph.in', 'Graph.out>Responder.in'] });
    expect(await processes(server.base)).toContain('Graph');
    expect(lines.filter((l) => l.msg?.startsWith('graph reloaded')).map((l) => l.msg)).toEqual([
      expect.stringContaining('processes removed: Inspector; disconnected: Router.graph>Inspector.in, Router.traces>Inspector.traces, Inspector.out>Responder.in'),
      expect.stringContaining('processes added: Graph; connected: Router.graph>Graph.in, Graph.out>Responder.in'),
    ]);
  });

  it('keeps the running graph when the file is broken, logging every problem', async () => {
    const { write, reload, server, lines } = await start(openPostingGraph());
    const bad = openPostingGraph();
    bad.processes.Storage = { component: 'Storge' };
    bad.connections.push({ data: 'x', tgt: { process: 'SendController', port: 'maxText' } });
    write(bad);
    expect(await reload()).toBeUndefined();
    const refused = lines.find((l) => l.level === 50);
    expect(refused?.msg).toContain("Storage: uses component 'Storge', which does not exist");
    expect(refused?.msg).toContain('SendController.maxText');
    expect(refused?.msg).toContain('The running graph stays as it was.');
    write('{ "processes": ');
    expect(await reload()).toBeUndefined();
    expect(lines.filter((l) => l.level === 50).at(-1)?.msg).toContain('is not valid JSON');
    // Still the whole graph, still serving.
    expect(await processes(server.base)).toContain('Storage');
    expect((await postJson(server.base, { author: 'a', text: 'still here', room: 'broken' })).status).toBe(201);
  });

  it('reloads on SIGHUP, as nginx does, saying what changed', async () => {
    const edited = graphFile(openPostingGraph());
    const node = await spawnServer({ env: { GRAPH: edited.file, LOG_LEVEL: 'info' } });
    try {
      edited.write(setInitial(openPostingGraph(), 'Storage', 'capacity', 7));
      node.child.kill('SIGHUP');
      await waitFor(() => node.output().stdout.includes('graph reloaded'));
      expect(node.output().stdout).toContain('settings changed: Storage.capacity 1000 → 7');
      expect((await call(`${node.base}/health`)).status).toBe(200);
    } finally {
      expect(await node.stop()).toBe(0);
    }
  });
});
