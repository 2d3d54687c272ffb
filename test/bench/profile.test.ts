import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { ORIGIN, originOf, topSelfTime } from '../../bench/profile.ts';
import { renderOrigins } from '../../bench/profile-table.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'flowchat-profile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const frame = (functionName: string, url = ''): { functionName: string; url: string; lineNumber: number; columnNumber: number } => ({
  functionName,
  url,
  lineNumber: 0,
  columnNumber: 0,
});

/** A profile whose samples each last 1 ms: sample i lasts timeDeltas[i + 1]. */
function writeProfile(name: string, nodes: ReturnType<typeof frame>[], samples: number[]): string {
  const file = path.join(dir, name);
  const profile = {
    nodes: nodes.map((callFrame, i) => ({ id: i + 1, callFrame })),
    startTime: 0,
    samples: samples.map((index) => index + 1),
    timeDeltas: samples.map(() => 1_000),
  };
  writeFileSync(file, JSON.stringify(profile));
  return file;
}

describe('the profile split by origin', () => {
  it('tells the server’s own code, packages, Node, native calls and V8 apart', () => {
    expect(originOf(frame('respond', 'file:///srv/flowchat/dist/src/http/incoming-request.js'))).toBe(ORIGIN.own);
    expect(originOf(frame('lookup', 'file:///srv/flowchat/node_modules/find-my-way/index.js'))).toBe('package find-my-way');
    expect(originOf(frame('send', 'file:///srv/flowchat/node_modules/@fastify/static/index.js'))).toBe('package @fastify/static');
    expect(originOf(frame('a', 'file:///srv/flowchat/node_modules/fastify/node_modules/semver/index.js'))).toBe('package semver');
    expect(originOf(frame('end', 'node:_http_outgoing'))).toBe(ORIGIN.node);
    expect(originOf(frame('writev'))).toBe(ORIGIN.native);
    expect(originOf(frame('(garbage collector)'))).toBe(ORIGIN.gc);
    expect(originOf(frame('(program)'))).toBe(ORIGIN.program);
  });

  it('sums the busy time per origin, largest first, leaving idle out', async () => {
    const nodes = [
      frame('(idle)'),
      frame('(garbage collector)'),
      frame('respond', 'file:///srv/flowchat/dist/src/http/incoming-request.js'),
      frame('poll', 'file:///srv/flowchat/dist/components/storage.js'),
      frame('lookup', 'file:///srv/flowchat/node_modules/find-my-way/index.js'),
      frame('writev'),
    ];
    // Time lasts until the next sample: the last sample counts nothing.
    const file = writeProfile('a.cpuprofile', nodes, [0, 0, 1, 1, 1, 2, 3, 3, 4, 5, 5, 5, 5, 0]);
    const summary = await topSelfTime(file, 3);
    expect(summary.idleMs).toBe(2);
    expect(summary.sampledMs).toBe(13);
    expect(summary.origins).toEqual([
      { origin: ORIGIN.native, selfMs: 4, percent: (100 * 4) / 11 },
      { origin: ORIGIN.gc, selfMs: 3, percent: (100 * 3) / 11 },
      { origin: ORIGIN.own, selfMs: 3, percent: (100 * 3) / 11 },
      { origin: 'package find-my-way', selfMs: 1, percent: (100 * 1) / 11 },
    ]);
    expect(summary.origins.reduce((sum, o) => sum + o.percent, 0)).toBeCloseTo(100);
    expect(summary.top.map((t) => t.function)).toEqual(['writev', '(garbage collector)', expect.stringMatching(/^poll /)]);
  });

  it('splits each server’s CPU per delivery in its profile’s shares, with the difference', async () => {
    const flowchat = await topSelfTime(writeProfile('f.cpuprofile', [frame('(garbage collector)'), frame('writev'), frame('h', 'file:///x/node_modules/fastify/a.js')], [0, 0, 1, 2, 0]), 5);
    const baseline = await topSelfTime(writeProfile('b.cpuprofile', [frame('(garbage collector)'), frame('writev')], [0, 1, 1, 1, 0]), 5);
    const table = renderOrigins([
      { name: 'flowchat', profile: flowchat, usPerDelivery: 40 },
      { name: 'baseline', profile: baseline, usPerDelivery: 20 },
    ]);
    const rows = new Map(table.split('\n').slice(2).map((line) => {
      const cells = line.split(/\s{2,}/);
      return [cells[0], cells.slice(1)];
    }));
    // flowchat: half its time collecting, a quarter each in writev and fastify; the baseline a quarter collecting.
    expect(rows.get(ORIGIN.gc)).toEqual(['20.00', '5.00', '+15.00']);
    expect(rows.get(ORIGIN.native)).toEqual(['10.00', '15.00', '−5.00']);
    expect(rows.get('package fastify')).toEqual(['10.00', '0.00', '+10.00']);
    expect(rows.get('total')).toEqual(['40.00', '20.00', '+20.00']);
    expect([...rows.keys()].slice(0, 3)).toEqual([ORIGIN.gc, ORIGIN.native, 'package fastify']);
  });

  it('reads a bundle through its source map: each function in its own file, packages told apart', async () => {
    // A bundle as scripts/bundle.ts makes one: whitespace minified, the source map beside it.
    const root = path.join(dir, 'bundled');
    mkdirSync(path.join(root, 'src'), { recursive: true });
    mkdirSync(path.join(root, 'node_modules', 'lib'), { recursive: true });
    writeFileSync(path.join(root, 'node_modules', 'lib', 'index.js'), 'export function lookup(x) {\n  return x * 2;\n}\n');
    writeFileSync(path.join(root, 'src', 'main.ts'), "import { lookup } from 'lib';\n\nexport function respond(n: number): number {\n  return lookup(n) + 1;\n}\nconsole.log(respond(1));\n");
    await build({ entryPoints: [path.join(root, 'src', 'main.ts')], bundle: true, format: 'esm', platform: 'node', minifyWhitespace: true, sourcemap: 'linked', outfile: path.join(root, 'dist', 'main.js'), absWorkingDir: root, logLevel: 'silent' });
    const bundle = readFileSync(path.join(root, 'dist', 'main.js'), 'utf8');
    const at = (name: string): { functionName: string; url: string; lineNumber: number; columnNumber: number } => {
      const lines = bundle.split('\n');
      const lineNumber = lines.findIndex((line) => line.includes(`function ${name}(`));
      return { functionName: name, url: pathToFileURL(path.join(root, 'dist', 'main.js')).href, lineNumber, columnNumber: (lines[lineNumber] as string).indexOf(`function ${name}(`) };
    };
    const summary = await topSelfTime(writeProfile('bundled.cpuprofile', [at('respond'), at('lookup')], [0, 0, 0, 1, 0]), 2);
    expect(summary.origins.map((o) => [o.origin, o.selfMs])).toEqual([
      [ORIGIN.own, 3],
      ['package lib', 1],
    ]);
    expect(summary.top.map((t) => t.function)).toEqual([expect.stringMatching(/^respond .*src\/main\.ts:3$/), expect.stringMatching(/^lookup .*node_modules\/lib\/index\.js:1:8$/)]);
  });
});
