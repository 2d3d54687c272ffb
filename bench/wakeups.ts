import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../test/helpers/ports.ts';
import { cpuSpentMs, readCpu } from './proc.ts';
import { startRedis } from './spawn.ts';
import { num } from './table.ts';

/**
 * `npm run bench:wakeups`: how a node best hears of appends made through
 * other nodes, measured: one subscriber connection (what flowchat does: the
 * append script PUBLISHes) against one blocking reader (XREAD BLOCK on the
 * streams of every room the node holds polls in, issued again after each
 * wake-up). Posts go round `rooms` rooms; the figures are Redis's CPU and
 * this process's (the poster's and the listener's together: the poster
 * does the same XADD in both, and a PUBLISH more for the subscriber) per
 * wake-up heard.
 */

const POSTS = 5_000;
const ROOM_COUNTS = [1, 100, 1_000];

interface Figures {
  readonly nodeUs: number;
  readonly redisUs: number;
}

/** measure runs `posts` appends round the rooms while `listen` hears them, and gives the CPU per wake-up heard. */
async function measure(redisPid: number, rooms: number, listen: (heard: () => void) => Promise<() => void>, append: (room: string, i: number) => Promise<unknown>): Promise<Figures> {
  let heard = 0;
  let done: () => void = () => {};
  const all = new Promise<void>((resolve, reject) => {
    done = resolve;
    setTimeout(() => reject(new Error(`heard ${heard} of ${POSTS} wake-ups in 60 s`)), 60_000).unref();
  });
  const stop = await listen(() => {
    if (++heard === POSTS) done();
  });
  const node = process.cpuUsage();
  const redisBefore = readCpu(redisPid);
  for (let i = 0; i < POSTS; i++) await append(`room${i % rooms}`, i);
  await all;
  const nodeSpent = process.cpuUsage(node);
  const redisMs = cpuSpentMs(redisBefore, readCpu(redisPid)).userSysMs;
  stop();
  return { nodeUs: (nodeSpent.user + nodeSpent.system) / POSTS, redisUs: (redisMs * 1000) / POSTS };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'flowchat-bench-wakeups-'));
  const redis = await startRedis(await freePort(), dir);
  const poster = new Redis(redis.url);
  const lines = ['| rooms | subscriber: this process µs / wake-up | Redis µs | blocking reader: this process µs / wake-up | Redis µs |', '|---:|---:|---:|---:|---:|'];
  try {
    for (const rooms of ROOM_COUNTS) {
      await poster.flushall();
      // The poster's own work is the same for both (an XADD); only the PUBLISH differs.
      const subscriber = await measure(redis.pid, rooms, async (heard) => {
        const connection = new Redis(redis.url);
        connection.on('message', heard);
        await connection.subscribe('events');
        return () => connection.disconnect();
      }, (room, i) => poster.multi().xadd(room, '*', 'j', String(i)).publish('events', room).exec());

      await poster.flushall();
      const reader = await measure(redis.pid, rooms, async (heard) => {
        const connection = new Redis(redis.url);
        // The streams are empty: from 0, so nothing appended between two XREADs is missed.
        const last = new Map<string, string>(Array.from({ length: rooms }, (_, r) => [`room${r}`, '0-0']));
        let stopped = false;
        void (async () => {
          while (!stopped) {
            const keys = [...last.keys()];
            const answer = (await connection.xread('BLOCK', 0, 'STREAMS', ...keys, ...keys.map((k) => last.get(k) as string)).catch(() => null)) as [string, [string, string[]][]][] | null;
            for (const [key, entries] of answer ?? []) {
              last.set(key, (entries.at(-1) as [string, string[]])[0]);
              for (let e = 0; e < entries.length; e++) heard();
            }
          }
        })();
        // The first XREAD must be blocking before anything is posted.
        await new Promise((resolve) => setTimeout(resolve, 200));
        return () => {
          stopped = true;
          connection.disconnect();
        };
      }, (room, i) => poster.xadd(room, '*', 'j', String(i)));
      lines.push(`| ${rooms.toLocaleString('en-US')} | ${num(subscriber.nodeUs, 1)} | ${num(subscriber.redisUs, 1)} | ${num(reader.nodeUs, 1)} | ${num(reader.redisUs, 1)} |`);
    }
  } finally {
    poster.disconnect();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`${POSTS.toLocaleString('en-US')} appends, one at a time, round the rooms; CPU per wake-up heard`);
  console.log(lines.join('\n'));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
