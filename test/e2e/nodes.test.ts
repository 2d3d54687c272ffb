/**
 * PROTOCOL.md, Several nodes, through the real parts: two flowchat
 * processes on one redis-server, behind the project's nginx with both in
 * its upstream (round-robin, no stickiness). Clients reach nginx only.
 */
import { afterEach, expect, it } from 'vitest';
import { NGINX_BINARY, startNginx, type RunningNginx } from '../../scripts/nginx-process.ts';
import { REDIS_MISSING } from '../helpers/backends.ts';
import { openPostingGraphFile } from '../helpers/graph-file.ts';
import { freePort } from '../helpers/ports.ts';
import { startServerProcess, type ServerProcess } from '../helpers/process.ts';
import { startRedis, type RedisServer } from '../helpers/redis-server.ts';
import { call, postJson } from '../helpers/server.ts';
import { describeRequiring, missingBinaries } from './system.ts';

const B = '/gochat/chat';
const missing = [...missingBinaries([NGINX_BINARY]).map((binary) => `${binary} not found — run scripts/install-system-deps.sh`), ...(REDIS_MISSING === undefined ? [] : [REDIS_MISSING])];

interface Cluster {
  readonly redis: RedisServer;
  readonly nodes: ServerProcess[];
  readonly nginx: RunningNginx;
}

let cluster: Cluster | undefined;
afterEach(async () => {
  const running = cluster;
  cluster = undefined;
  if (running === undefined) return;
  await running.nginx.stop();
  await Promise.all(running.nodes.map((node) => node.stop()));
  await running.redis.remove();
});

/** startCluster starts a redis-server, two nodes on it and nginx in front of both. */
async function startCluster(): Promise<Cluster> {
  const redis = await startRedis();
  const env = { REDIS_URL: redis.url, REDIS_PREFIX: 'nodes:', GRAPH: openPostingGraphFile(), RATE_LIMIT: '0' };
  const nodes = [await startServerProcess({ env }), await startServerProcess({ env })];
  const nginx = await startNginx({ port: await freePort(), backends: nodes.map((node) => `127.0.0.1:${node.port}`) });
  cluster = { redis, nodes, nginx };
  return cluster;
}

/**
 * reader polls a room through nginx as the page does (since, epoch, a held
 * poll, again after an error) and keeps every message it is given.
 */
function reader(origin: string) {
  const seen: { id: number; text: string }[] = [];
  let stopped = false;
  const done = (async () => {
    let since = 0;
    let epoch: string | undefined;
    while (!stopped) {
      const answer = await call(`${origin}${B}?room=lobby&since=${since}&timeout=2${epoch === undefined ? '' : `&epoch=${epoch}`}`).catch(() => undefined);
      if (answer?.status !== 200) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      expect(answer.body.reset).toBe(false);
      seen.push(...answer.body.messages.map(({ id, text }: { id: number; text: string }) => ({ id, text })));
      ({ next: since, epoch } = answer.body);
    }
  })();
  return { seen, stop: () => ((stopped = true), done) };
}

/** say posts through nginx until the post is taken, retrying with its nonce as a client should after a 503. */
async function say(origin: string, text: string): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const answer = await postJson(`${origin}${B}`, { room: 'lobby', author: 'alice', text, nonce: text }).catch(() => undefined);
    if (answer?.status === 201 || answer?.status === 200) return answer.body.message.id;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`"${text}" was never taken`);
}

describeRequiring('two nodes on one Redis behind nginx', missing.length === 0 ? undefined : missing.join('; '), () => {
  it('gives clients every message posted through either node, in order and once, even when a node is killed mid-conversation', async () => {
    const { nginx, nodes } = await startCluster();
    const readers = [reader(nginx.url), reader(nginx.url), reader(nginx.url)];
    const ids: number[] = [];
    for (let i = 1; i <= 40; i++) {
      if (i === 21) (nodes[0] as ServerProcess).child.kill('SIGKILL');
      ids.push(await say(nginx.url, `m${i}`));
    }
    expect(ids).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const expected = ids.map((id) => ({ id, text: `m${id}` }));
    const deadline = Date.now() + 20_000;
    while (readers.some((r) => r.seen.length < 40) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await Promise.all(readers.map((r) => r.stop()));
    for (const r of readers) expect(r.seen).toEqual(expected);
  });

  it('spreads requests over both nodes, with no stickiness', async () => {
    const { nginx, nodes } = await startCluster();
    for (let i = 0; i < 8; i++) await call(`${nginx.url}${B}?room=lobby&since=0&timeout=0`);
    // Each node counts what it served in its own /graph counters: both must have served some.
    for (const node of nodes) {
      const { body } = await call(`${node.base}/graph`);
      const polls = body.connections.find((c: { from: string }) => c.from === 'Router.poll');
      expect(polls?.sent).toBeGreaterThan(0);
    }
  });
});
