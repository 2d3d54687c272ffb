import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { BenchReport } from './report.ts';
import { median } from './samples.ts';
import { costPairs, type CostPair } from './side-by-side-pairs.ts';

const HELP = `Usage: npm run bench:side-by-side -- DIR_A DIR_B [--rounds N] [--only LIST]

Compares two versions of flowchat on a machine whose speed drifts: runs
\`npm run bench -- --only LIST\` in two checkouts at the same time (each starts
its own servers on free ports), N rounds, and prints flowchat's server CPU
per delivery in B ÷ A for every round and the median. Two copies of one
commit come out within 3 % of each other on this VM; figures from runs made
at different times differ by tens of percent.

Make the second checkout with \`git worktree add /tmp/before <commit>\` and
link its node_modules and build/ to this one's.

Options:
  --rounds N   rounds of the pair (default 3)
  --only LIST  scenarios, as for npm run bench (default: fanout)
  -h, --help   show this text
`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { rounds: { type: 'string', default: '3' }, only: { type: 'string', default: 'fanout' }, help: { type: 'boolean', short: 'h' } },
});
const rounds = Number(values.rounds);
if (values.help === true || positionals.length !== 2 || !Number.isInteger(rounds) || rounds < 1) {
  console.log(HELP);
  process.exit(values.help === true ? 0 : 2);
}
const dirA = path.resolve(positionals[0] ?? '.');
const dirB = path.resolve(positionals[1] ?? '.');
const outDir = mkdtempSync(path.join(tmpdir(), 'flowchat-side-by-side-'));

/** noPeers is what keeps a checkout's bench to flowchat and its baseline: `--peers none` where it has peers (a checkout from before them has not). */
function noPeers(dir: string): string[] {
  return readFileSync(path.join(dir, 'bench', 'run.ts'), 'utf8').includes('peers: {') ? ['--peers', 'none'] : [];
}

/** bench runs one checkout's bench, without peers (only flowchat's figures are compared), and reads its report. */
function bench(dir: string, out: string): Promise<BenchReport> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', 'bench', '--', '--only', values.only, ...noPeers(dir), '--out', out], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(readFileSync(out, 'utf8')) as BenchReport) : reject(new Error(`the bench in ${dir} exited ${code}`))));
  });
}

const all: CostPair[] = [];
for (let round = 1; round <= rounds; round++) {
  const [a, b] = await Promise.all([bench(dirA, path.join(outDir, `a${round}.json`)), bench(dirB, path.join(outDir, `b${round}.json`))]);
  for (const pair of costPairs(a, b)) {
    all.push(pair);
    console.log(`round ${round}  ${pair.figure.padEnd(16)} A ${pair.a.toFixed(2)} µs  B ${pair.b.toFixed(2)} µs  B ÷ A ${(pair.b / pair.a).toFixed(3)}`);
  }
}
for (const figure of new Set(all.map((pair) => pair.figure))) {
  const ratios = all.filter((pair) => pair.figure === figure).map((pair) => pair.b / pair.a);
  console.log(`${figure.padEnd(16)} median B ÷ A ${median(ratios).toFixed(3)} over ${ratios.length} rounds`);
}
console.log(`(reports in ${outDir})`);
