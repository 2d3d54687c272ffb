import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startNginx } from '../scripts/nginx-process.ts';
import { freePort } from '../test/helpers/ports.ts';
import { planFor, type Mode } from './plan.ts';
import { medianBy } from './samples.ts';
import { childrenOf } from './proc.ts';
import { PINNING, runLoadgen, startRedis, startServer, type RunningServer } from './spawn.ts';
import { num } from './table.ts';
import type { FanoutResult, ServerJob, TargetServer, ThroughputResult } from './types.ts';

/**
 * `npm run bench:nodes`: flowchat on its in-memory stores, on one node with
 * Redis, and as two nodes on one Redis behind the project's nginx, under
 * the same fan-out and throughput jobs as `npm run bench`, in one run, so
 * that every ratio compares figures measured side by side. The nodes and
 * Redis are pinned to the server's CPU, the load generator to the other.
 */

const HELP = `Usage: npm run bench:nodes -- [--quick] [--only LIST] [--setups LIST] [--repeat N] [--out FILE]

Runs fan-out (1,000 and 10,000 clients) and throughput against:
  memory      one node, in-memory stores (the default)
  redis       one node with REDIS_URL (redis-server started by the bench)
  2 nodes     two nodes on that Redis, behind nginx (round-robin)
and prints CPU per delivery (the nodes', and Redis's apart), deliveries/s,
and the ratios against memory, with the targets of issue #13.

  --quick     small sizes: a smoke test that every message arrives
  --only      fanout, throughput or both (default: both)
  --setups    which of memory, redis, 2-nodes (default: all three)
  --repeat N  N rounds of everything (default 1): the VM drifts, so the
              table shows each scenario's round with the median Redis ÷
              memory ratio, and the targets are judged on the medians
  --out FILE  write the JSON results to FILE
`;

type Setup = 'memory' | 'redis' | '2 nodes';
const NGINX_WORKERS = 2;
const SETUPS: readonly Setup[] = ['memory', 'redis', '2 nodes'];

/** listOption reads a comma-separated option, refusing what is not one of `known` (spelt with - for a space). */
function listOption<T extends string>(raw: string | undefined, known: readonly T[], name: string): T[] {
  if (raw === undefined) return [...known];
  return raw.split(',').map((word) => {
    const found = known.find((k) => k.replaceAll(' ', '-') === word.trim());
    if (found === undefined) throw new Error(`--${name}: "${word}" is none of ${known.map((k) => k.replaceAll(' ', '-')).join(', ')}`);
    return found;
  });
}

/** Running is one set-up started for one job: the target the load generator drives, and how to stop it all. */
interface Running {
  readonly target: TargetServer;
  stop(): Promise<void>;
}

const started = Date.now();
const log = (message: string): void => console.error(`[nodes ${num((Date.now() - started) / 1000, 1)} s] ${message}`);

/** start starts a set-up: Redis with a key space of its own where it has one, the nodes, and nginx in front of two. */
async function start(setup: Setup, maxHeldPolls: number): Promise<Running> {
  if (setup === 'memory') {
    const node = await startServer('flowchat', { maxHeldPolls });
    return { target: node.target, stop: async () => void (await node.stop()) };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'flowchat-bench-redis-'));
  const redis = await startRedis(await freePort(), dir);
  const env = { REDIS_URL: redis.url, REDIS_PREFIX: 'bench:' };
  const nodes: RunningServer[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.all(nodes.map((node) => node.stop()));
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < (setup === 'redis' ? 1 : 2); i++) nodes.push(await startServer('flowchat', { maxHeldPolls, env }));
    const [first] = nodes as [RunningServer];
    if (setup === 'redis') return { target: { ...first.target, storePid: redis.pid }, stop: stopAll };
    // Two workers share the connections (each accepts from the one listening socket), so neither needs a file for every one of 10,000 polls' two connections.
    const nginx = await startNginx({ port: await freePort(), workers: NGINX_WORKERS, backends: nodes.map((node) => `127.0.0.1:${node.target.port}`) });
    const url = new URL(nginx.url);
    const target: TargetServer = {
      ...first.target,
      port: Number(url.port),
      pids: nodes.map((node) => node.target.pid),
      storePid: redis.pid,
      helperPids: [nginx.pid, ...childrenOf(nginx.pid)],
      nodePorts: nodes.map((node) => node.target.port),
    };
    return {
      target,
      async stop() {
        await nginx.stop();
        await stopAll();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

type Result = FanoutResult | ThroughputResult;

/** Measured is one set-up's result for one job in one round. */
interface Measured {
  readonly job: string;
  readonly setup: Setup;
  readonly round: number;
  readonly result: Result;
}

function deliveries(result: Result): number {
  return result.kind === 'fanout' ? result.delivered : result.deliveries;
}

/** posts counts what was posted in the measured part: one a round in fan-out. */
function posts(result: Result): number {
  return result.kind === 'fanout' ? result.rounds : result.accepted;
}

function labelOf(job: ServerJob): string {
  if (job.kind === 'fanout') return `fan-out N=${job.clients.toLocaleString('en-US')}`;
  return job.kind === 'throughput' ? `throughput ${job.pollers.toLocaleString('en-US')} pollers × ${job.publishers} publishers` : job.kind;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      setups: { type: 'string' },
      repeat: { type: 'string', default: '1' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const repeat = Number(values.repeat);
  if (values.help || !Number.isInteger(repeat) || repeat < 1) {
    process.stdout.write(HELP);
    if (!values.help) process.exitCode = 2;
    return;
  }
  const mode: Mode = values.quick ? 'quick' : 'full';
  const plan = planFor(mode, listOption(values.only, ['fanout', 'throughput'] as const, 'only'));
  const setups = listOption(values.setups, SETUPS, 'setups');
  const jobs: ServerJob[] = [...plan.fanout, ...(plan.throughput === undefined ? [] : [plan.throughput])];
  const cores = cpus().length;
  log(`${mode} run, ${cores} CPUs${PINNING.enabled ? '' : ` (not pinned: ${PINNING.why})`}`);
  const results: Measured[] = [];
  const notRun = new Set<string>();
  const files = hardOpenFilesLimit();
  for (let round = 1; round <= repeat; round++) {
    for (const job of jobs) {
      for (const setup of setups) {
        // nginx holds two connections per held poll (the client's and the node's), each a file, shared among its workers (with a margin for an uneven share).
        const needed = Math.ceil((2 * (job.kind === 'fanout' ? job.clients : job.kind === 'throughput' ? job.pollers + job.publishers : 0) * 1.5) / NGINX_WORKERS) + 100;
        if (setup === '2 nodes' && needed > files) {
          notRun.add(`${labelOf(job)} against 2 nodes: not run, nginx would need ${needed.toLocaleString('en-US')} open files and this machine allows ${files.toLocaleString('en-US')} (ulimit -Hn)`);
          continue;
        }
        log(`${labelOf(job)} against ${setup}${repeat > 1 ? ` (round ${round} of ${repeat})` : ''}`);
        const running = await start(setup, plan.maxHeldPolls);
        try {
          const output = await runLoadgen({ job, target: running.target }, 15 * 60_000);
          if (output.othersShare > 0.05) log(`other programs took ${num(100 * output.othersShare)}% of the CPUs: these figures are skewed`);
          results.push({ job: labelOf(job), setup, round, result: output.result as Result });
        } finally {
          await running.stop();
        }
      }
  }
  }

  const lines: string[] = repeat > 1 ? [`Of ${repeat} rounds, each scenario's round with the median Redis ÷ memory ratio:`, ''] : [];
  const row = (cells: readonly string[]): void => void lines.push(`| ${cells.join(' | ')} |`);
  row(['scenario', 'set-up', 'delivered', "nodes' CPU µs / delivery", '÷ memory', 'Redis µs / post', 'Redis µs / delivery', 'deliveries/s', 'p99 delay (ms)']);
  row(['---', '---', '---:', '---:', '---:', '---:', '---:', '---:', '---:']);
  for (const { job, setup, round, result } of shownResults(results)) {
    const memory = results.find((r) => r.job === job && r.round === round && r.setup === 'memory')?.result;
    const storeMs = result.cpu.storeMs;
    const perSec = result.kind === 'throughput' ? num(result.deliveriesPerSec) : '';
    row([
      job,
      setup,
      `${deliveries(result).toLocaleString('en-US')}`,
      num(result.cpu.usPerDelivery, 2),
      memory === undefined ? '' : `${num(result.cpu.usPerDelivery / memory.cpu.usPerDelivery, 2)}×`,
      storeMs === undefined ? '' : num((storeMs * 1000) / posts(result), 1),
      storeMs === undefined ? '' : num((storeMs * 1000) / deliveries(result), 2),
      perSec,
      num(result.delay.p99Ms, 1),
    ]);
  }
  console.log(lines.join('\n'));
  console.log('');
  for (const line of notRun) console.log(line);
  for (const line of targets(results, cores)) console.log(line);
  if (values.out !== undefined) writeFileSync(values.out, `${JSON.stringify({ mode, cores, source: gitHead(), results }, null, 2)}\n`);
}

type Ratio = (of: (setup: Setup) => Result | undefined) => number | undefined;

/** redisRatio is Redis on one node over memory, in CPU per delivery. */
const redisRatio: Ratio = (of) => {
  const memory = of('memory');
  const redis = of('redis');
  return memory === undefined || redis === undefined ? undefined : redis.cpu.usPerDelivery / memory.cpu.usPerDelivery;
};

/** twoNodesRatio is two nodes over one (with Redis), in deliveries a second. */
const twoNodesRatio: Ratio = (of) => {
  const redis = of('redis');
  const two = of('2 nodes');
  return redis?.kind === 'throughput' && two?.kind === 'throughput' ? two.deliveriesPerSec / redis.deliveriesPerSec : undefined;
};

/** perRound gives a job's ratio in each round where both its set-ups ran. */
function perRound(results: readonly Measured[], job: string, ratio: Ratio): { round: number; ratio: number }[] {
  return [...new Set(results.map((r) => r.round))].flatMap((round) => {
    const value = ratio((setup) => results.find((r) => r.job === job && r.round === round && r.setup === setup)?.result);
    return value === undefined ? [] : [{ round, ratio: value }];
  });
}

/** shownResults is what the table shows: each job's results from its shown round, in the order the jobs ran. */
function shownResults(results: readonly Measured[]): Measured[] {
  const shown = shownRounds(results);
  return results.filter((r) => r.round === 1).flatMap(({ job, setup }) => results.filter((r) => r.job === job && r.setup === setup && r.round === shown.get(job)));
}

/** shownRounds picks each job's round for the table: the one with the median Redis ÷ memory ratio (the first, where that was not measured). */
function shownRounds(results: readonly Measured[]): Map<string, number> {
  const shown = new Map<string, number>();
  for (const { job, round } of results) {
    if (shown.has(job)) continue;
    const ratios = perRound(results, job, redisRatio);
    shown.set(job, ratios.length === 0 ? round : medianBy(ratios, (r) => r.ratio).round);
  }
  return shown;
}

/** targets checks issue #13's targets on the median of the rounds: Redis ≤ 1.3× memory's CPU per delivery on one node; two nodes ≥ 1.6× one node's deliveries/s where there are the cores. */
function targets(results: readonly Measured[], cores: number): string[] {
  const lines: string[] = [];
  /** median is the rounds' median ratio, and how to print it: with every round's where there are several. */
  const median = (ratios: readonly { ratio: number }[]): { value: number; text: string } => {
    const value = medianBy(ratios, (r) => r.ratio).ratio;
    const text = ratios.length === 1 ? `${num(value, 2)}×` : `${num(value, 2)}× (the median of ${ratios.map((r) => `${num(r.ratio, 2)}×`).join(', ')})`;
    return { value, text };
  };
  for (const job of new Set(results.map((r) => r.job))) {
    const redis = perRound(results, job, redisRatio);
    if (redis.length > 0) {
      const { value, text } = median(redis);
      lines.push(`${job}: Redis on one node ${text} memory's CPU per delivery (target ≤ 1.3×) ${value <= 1.3 ? '✓' : '✗'}`);
    }
    const two = perRound(results, job, twoNodesRatio);
    if (two.length > 0) {
      const { value, text } = median(two);
      // Two nodes need two CPUs of their own besides the load generator's.
      const verdict = cores >= 4 ? (value >= 1.6 ? '✓' : '✗') : `(not judged: ${cores} CPUs, the load generator takes one and the nodes share the other)`;
      lines.push(`${job}: two nodes ${text} one node's deliveries/s (target ≥ 1.6× where the machine has the cores) ${verdict}`);
    }
  }
  return lines;
}

/** hardOpenFilesLimit is how many files a process started from here may open at most. */
function hardOpenFilesLimit(): number {
  const raw = execFileSync('bash', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim();
  return raw === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(raw);
}

function gitHead(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
