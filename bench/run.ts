import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Harness } from './harness.ts';
import { describeMachine, describeSource } from './machine.ts';
import { planFor, SCENARIO_NAMES, type Mode, type ScenarioName } from './plan.ts';
import { mainThreadProfile, topSelfTime, type ProfileSummary } from './profile.ts';
import { renderOrigins } from './profile-table.ts';
import { RESULTS_LINE, type BenchReport, type Pair } from './report.ts';
import { PEER_NAMES, peerMissing, type PeerName } from './peers/peers.ts';
import { LOADGEN_CPU, PINNING, ROOT, SERVER_CPU } from './spawn.ts';
import { renderMarkdown, renderTable, renderTargetRounds, num } from './table.ts';
import { checkTargetsOverRounds } from './targets.ts';
import type { AftermathResult, FanoutResult, MemoryResult, ServerName, ThroughputResult } from './types.ts';

/**
 * `npm run bench`: starts flowchat, the baseline server and the peers in
 * turn, drives each from a separate load-generator process in its own
 * client protocol (bench/clients/), prints the table and writes
 * every figure to bench/results/<timestamp>.json.
 */

const HELP = `Usage: npm run bench -- [options]

Measures flowchat against a minimal node:http baseline speaking the same
poll/post protocol, and against its peers, each spoken to in its own client
protocol: socket.io 4.8 on its polling transport, and nginx with Debian's
nchan module where it is installed (libnginx-mod-nchan). Each scenario runs
on a freshly started server (pinned to CPU ${SERVER_CPU}), driven by a load
generator process (pinned to CPU ${LOADGEN_CPU}).

Scenarios:
  fanout       1,000 and 10,000 held polls on one room, one message posted:
               delay to every client, deliveries, server CPU per delivery
  throughput   1,000 pollers, 32 publishers posting for 10 s: posts/s,
               deliveries/s, missed messages, delays, CPU per delivery
  memory       RSS idle, holding 10,000 polls, and 2 s after they close
  aftermath    throughput, memory, throughput again, in one server process:
               the CPU per delivery after ÷ before (flowchat and baseline)
  flow         packets/s through a 4-stage chain of the FBP runtime,
               against the same handlers called directly (in-process)

Options:
  --quick          small sizes (50 clients, one round, a 2 s throughput run):
                   a smoke test in under 30 s that every message arrives
  --profile        run fan-out at 10,000 clients (with --only throughput: the
                   throughput scenario) against flowchat and the baseline,
                   each started with --cpu-prof (written to bench/results/),
                   and print flowchat's functions with the most self time and
                   both servers' CPU per delivery split by whose code ran
  --only LIST      comma-separated scenarios to run (default: all)
  --peers LIST     comma-separated peers to run: ${PEER_NAMES.join(', ')} (default: all
                   that are installed; the others are named with the reason),
                   or none
  --out FILE       write the JSON results to FILE instead of
                   bench/results/<timestamp>.json
  --wait-quiet     before each job, wait (up to 2 min) until other programs
                   leave the CPUs idle for 2 s: for shared machines
  --retry-skewed N run a job again, up to N times, when other programs took
                   over 5% of the CPUs during it; the least skewed run is kept
  --repeat N       run each scenario N times against each server, alternating
                   between them, and report the round (one run of each, back
                   to back) with the median flowchat ÷ baseline cost (CPU per
                   delivery; memory per poll): for a noisy machine. Each
                   target is judged on its own figure's median round, and
                   listed under the table with every round's figure
  --markdown       also print the table as Markdown
  -h, --help       show this text

Targets (printed with ✓/✗, never failing the run) are in bench/targets.ts.
`;

interface Cli {
  readonly mode: Mode;
  readonly only: readonly ScenarioName[];
  readonly out: string | undefined;
  readonly markdown: boolean;
  readonly waitQuiet: boolean;
  readonly retries: number;
  readonly repeat: number;
  readonly peers: readonly PeerName[];
}

function readPeers(list: string | undefined): PeerName[] {
  if (list === 'none') return [];
  const peers = list === undefined ? [...PEER_NAMES] : list.split(',').map((s) => s.trim());
  const unknown = peers.filter((s) => !(PEER_NAMES as readonly string[]).includes(s));
  if (unknown.length > 0) throw new Error(`--peers: unknown peer ${unknown.join(', ')}; choose from ${PEER_NAMES.join(', ')}, or none`);
  return peers as PeerName[];
}

function readCli(): Cli | undefined {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      only: { type: 'string' },
      peers: { type: 'string' },
      out: { type: 'string' },
      markdown: { type: 'boolean', default: false },
      'wait-quiet': { type: 'boolean', default: false },
      'retry-skewed': { type: 'string', default: '0' },
      repeat: { type: 'string', default: '1' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return undefined;
  if (!/^[0-9]$/.test(values['retry-skewed'])) throw new Error(`--retry-skewed takes a number of retries from 0 to 9, not "${values['retry-skewed']}"`);
  if (!/^[1-9]$/.test(values.repeat)) throw new Error(`--repeat takes a number of runs from 1 to 9, not "${values.repeat}"`);
  if (values.quick && values.profile) throw new Error('--quick and --profile exclude each other; choose one');
  const only = values.only === undefined ? [...SCENARIO_NAMES] : values.only.split(',').map((s) => s.trim());
  const unknown = only.filter((s) => !(SCENARIO_NAMES as readonly string[]).includes(s));
  if (unknown.length > 0) throw new Error(`--only: unknown scenario ${unknown.join(', ')}; choose from ${SCENARIO_NAMES.join(', ')}`);
  return {
    mode: values.quick ? 'quick' : values.profile ? 'profile' : 'full',
    only: only as ScenarioName[],
    out: values.out,
    markdown: values.markdown,
    waitQuiet: values['wait-quiet'],
    retries: Number(values['retry-skewed']),
    repeat: Number(values.repeat),
    peers: readPeers(values.peers),
  };
}

const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
const started = Date.now();
const log = (message: string): void => console.error(`[bench ${num((Date.now() - started) / 1000, 1)} s] ${message}`);

async function main(): Promise<void> {
  const cli = readCli();
  if (cli === undefined) {
    process.stdout.write(HELP);
    return;
  }
  const plan = planFor(cli.mode, cli.only);
  const machine = describeMachine();
  const source = describeSource(ROOT);
  const startedAt = new Date();
  mkdirSync(RESULTS_DIR, { recursive: true });
  log(`${cli.mode} run on ${machine.cpuModel} (${machine.cpus} CPUs), Node ${machine.node}`);
  if (!PINNING.enabled) log(`not pinning processes to CPUs: ${PINNING.why}; figures will be noisier`);

  const profileDir = cli.mode === 'profile' ? RESULTS_DIR : undefined;
  harness = new Harness({ maxHeldPolls: plan.maxHeldPolls, waitQuiet: cli.waitQuiet, retries: cli.retries, repeat: cli.repeat, log, ...(profileDir === undefined ? {} : { profileDir }) });
  const busyBefore = await harness.before();
  const wanted = cli.mode === 'profile' ? [] : cli.peers;
  const skippedPeers: Partial<Record<PeerName, string>> = {};
  for (const peer of wanted) {
    const missing = peerMissing(peer);
    if (missing === undefined) continue;
    skippedPeers[peer] = missing;
    log(`skipping the ${peer} peer: ${missing}`);
  }
  const peers = wanted.filter((peer) => skippedPeers[peer] === undefined);
  const servers: readonly ServerName[] = cli.mode === 'profile' ? PROFILED : ['flowchat', 'baseline', ...peers];
  const fanout: Pair<FanoutResult>[] = [];
  for (const job of plan.fanout) fanout.push(await harness.pair<FanoutResult>(job, `fan-out N=${num(job.clients)}`, servers));
  const throughput = plan.throughput && (await harness.pair<ThroughputResult>(plan.throughput, 'throughput', servers));
  const memory = plan.memory && (await harness.pair<MemoryResult>(plan.memory, 'memory', servers));
  // A property of one process over a long run: flowchat's, with the baseline's for scale; the peers are not asked.
  const aftermath = plan.aftermath && (await harness.pair<AftermathResult>(plan.aftermath, 'aftermath', servers.filter((name) => name === 'flowchat' || name === 'baseline')));
  const flow = plan.flow && (await harness.flow(plan.flow));
  await harness.finished();

  const profiled: Pair<FanoutResult | ThroughputResult> | undefined = fanout[0] ?? throughput;
  const profiles: Partial<Record<ServerName, ProfileSummary>> = {};
  if (profileDir !== undefined && profiled !== undefined) {
    for (const name of PROFILED) {
      const pid = profiled.pids[name] ?? 0;
      const file = mainThreadProfile(profileDir, pid);
      if (file === undefined) throw new Error(`${name} (pid ${pid}) wrote no .cpuprofile of its main thread into ${profileDir}`);
      const result = profiled.results[name];
      profiles[name] = await topSelfTime(file, 15, result?.kind === 'fanout' ? result.window : undefined);
    }
  }

  const report: BenchReport = {
    version: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    mode: cli.mode,
    machine,
    source,
    pinned: PINNING.enabled,
    plan,
    repeat: cli.repeat,
    busyBefore,
    warnings: harness.warnings,
    skippedPeers,
    fanout,
    throughput,
    memory,
    aftermath,
    flow: flow?.result,
    flowOthersShare: flow?.othersShare,
    targets: checkTargetsOverRounds({ fanout, throughput, memory, aftermath, flow: flow?.result }),
    profiles,
  };
  const file = cli.out ?? path.join(RESULTS_DIR, `${startedAt.toISOString().replaceAll(':', '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);

  const pinning = PINNING.enabled ? `server on CPU ${SERVER_CPU}, load generator on CPU ${LOADGEN_CPU}` : 'not pinned';
  const tree = source.dirty.length === 0 ? '' : ` with uncommitted changes to ${source.dirty.join(', ')}`;
  console.log(`\nflowchat bench, ${cli.mode} run, ${report.startedAt}, commit ${source.commit}${tree}`);
  const repeats = cli.repeat === 1 ? '' : `; of ${cli.repeat} rounds (a run against each server, back to back), the one with the median flowchat ÷ baseline ratio, targets judged over all rounds (below)`;
  console.log(`${machine.cpuModel}, ${machine.cpus} CPUs, Node ${machine.node}, Linux ${machine.kernel}; ${pinning}${repeats}\n`);
  console.log(renderTable(report));
  const rounds = renderTargetRounds(report);
  if (rounds !== undefined) console.log(`\n${rounds}`);
  for (const [peer, why] of Object.entries(skippedPeers)) console.log(`\nSkipped peer ${peer}: ${why}.`);
  for (const warning of report.warnings) console.log(`\nWarning: ${warning}; rerun on a quiet machine.`);
  if (cli.mode !== 'full') console.log(`\n(${cli.mode} run: the sizes are too small or the server too encumbered for the targets to mean anything)`);
  if (cli.markdown) console.log(`\n${renderMarkdown(report)}`);
  if (profiled !== undefined && profiles.flowchat !== undefined) printProfiles(profiles, profiled, cli.markdown);
  console.log(`\n${RESULTS_LINE}${file}`);
}

/** The servers a profile run starts with --cpu-prof: flowchat, and the bare server its extra time is read against. */
const PROFILED: readonly ServerName[] = ['flowchat', 'baseline'];

function printProfiles(profiles: Partial<Record<ServerName, ProfileSummary>>, profiled: Pair<FanoutResult | ThroughputResult>, markdown: boolean): void {
  const flowchat = profiles.flowchat as ProfileSummary;
  const under = profiled.job.kind === 'fanout' ? 'under fan-out, its measured rounds only' : 'the whole throughput run';
  console.log(`\nflowchat self time (${path.relative(ROOT, flowchat.file)}; ${under}):`);
  console.log(`${num(flowchat.sampledMs)} ms sampled, ${num(flowchat.idleMs)} ms of it idle; % of the busy time\n`);
  for (const entry of flowchat.top) {
    console.log(`${num(entry.selfMs, 1).padStart(9)} ms ${num(entry.percent, 1).padStart(5)}%  ${entry.function}`);
  }
  console.log(`\nServer CPU µs per delivery by whose code ran (each server's figure above, split as its profile's busy time is):\n`);
  const servers = PROFILED.flatMap((name) => {
    const profile = profiles[name];
    const cpu = profiled.results[name]?.cpu.usPerDelivery;
    return profile === undefined || cpu === undefined ? [] : [{ name, profile, usPerDelivery: cpu }];
  });
  console.log(renderOrigins(servers, markdown));
}

// Set once the run starts, so a failure can still wait for the servers it stopped.
let harness: Harness | undefined;

main().catch(async (error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  // Servers already sent SIGTERM must not outlive the harness.
  await harness?.finished();
  process.exit(1);
});
