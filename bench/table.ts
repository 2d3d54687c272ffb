import type { BenchReport, Pair, TargetCheck } from './report.ts';
import { fanoutId } from './targets.ts';
import type { DelayFigures, FanoutResult, MemoryResult, ServerResult, ThroughputResult } from './types.ts';

/**
 * The printed table: one row per figure, flowchat beside the baseline, their
 * ratio, and the target with ✓ or ✗ where issue 4 sets one.
 */

interface Row {
  readonly scenario: string;
  readonly figure: string;
  readonly flowchat: string;
  readonly baseline: string;
  readonly ratio: string;
  readonly target: string;
}

const HEADER: Row = { scenario: 'Scenario', figure: 'Figure', flowchat: 'flowchat', baseline: 'baseline', ratio: 'flowchat ÷ baseline', target: 'Target' };

/** num formats a figure with thousands separators and a fixed number of decimals. */
export function num(value: number | undefined, decimals = 0): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  return value.toLocaleString('en', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

const ratioOf = (a: number | undefined, b: number | undefined): string => (a === undefined || b === undefined || b === 0 ? '' : `${num(a / b, 2)}×`);

/** Figure reads one number of a scenario's result. */
type Figure<R> = (result: R) => number;

class Rows {
  readonly rows: Row[] = [];
  private scenario = '';

  constructor(private readonly targets: readonly TargetCheck[]) {}

  section(title: string): void {
    this.scenario = title;
  }

  /** figure adds a row comparing both servers; `key` finds the target that applies, if any. */
  figure<R extends ServerResult>(pair: Pair<R>, name: string, read: Figure<R>, decimals: number, key?: string, ratio = true): void {
    const f = pair.results.flowchat === undefined ? undefined : read(pair.results.flowchat);
    const b = pair.results.baseline === undefined ? undefined : read(pair.results.baseline);
    this.add(name, num(f, decimals), num(b, decimals), ratio ? ratioOf(f, b) : '', key);
  }

  add(figure: string, flowchat: string, baseline: string, ratio: string, key?: string): void {
    const check = key === undefined ? undefined : this.targets.find((t) => t.key === key);
    const target = check === undefined ? '' : `${check.target} ${check.pass ? '✓' : '✗'}`;
    this.rows.push({ scenario: this.scenario, figure, flowchat, baseline, ratio, target });
    this.scenario = '';
  }
}

function delays<R extends ServerResult>(rows: Rows, pair: Pair<R>, read: (r: R) => DelayFigures, p99Key?: string): void {
  rows.figure(pair, 'delay p50 (ms)', (r) => read(r).p50Ms, 2);
  rows.figure(pair, 'delay p99 (ms)', (r) => read(r).p99Ms, 2, p99Key);
  rows.figure(pair, 'delay max (ms)', (r) => read(r).maxMs, 2);
}

const share = (part: number, whole: number): string => `${num(part)}/${num(whole)} (${num((100 * part) / whole, 2)}%)`;

function fanoutRows(rows: Rows, pair: Pair<FanoutResult>): void {
  const clients = (pair.results.flowchat ?? pair.results.baseline)?.clients ?? 0;
  const id = fanoutId(clients);
  rows.section(`fan-out N=${num(clients)}`);
  delays(rows, pair, (r) => r.delay, `${id}.p99`);
  const { flowchat: f, baseline: b } = pair.results;
  rows.add('delivered', f ? share(f.delivered, f.expected) : '–', b ? share(b.delivered, b.expected) : '–', '', `${id}.delivered`);
  rows.figure(pair, 'server CPU µs / delivery', (r) => r.cpu.usPerDelivery, 2, `${id}.cpu`);
  rows.figure(pair, 'load generator busy (%)', (r) => 100 * r.loadgen.busy, 0, undefined, false);
}

function throughputRows(rows: Rows, pair: Pair<ThroughputResult>): void {
  const any = pair.results.flowchat ?? pair.results.baseline;
  rows.section(`throughput ${num(any?.pollers)} pollers, ${num(any?.publishers)} publishers`);
  rows.figure(pair, 'accepted posts/s', (r) => r.acceptedPerSec, 0);
  rows.figure(pair, 'deliveries/s', (r) => r.deliveriesPerSec, 0, 'throughput.deliveries');
  rows.figure(pair, 'messages per poll answer', (r) => r.deliveries / r.answers, 1);
  rows.figure(pair, 'missed', (r) => r.missed, 0, 'throughput.missed', false);
  delays(rows, pair, (r) => r.delay);
  rows.figure(pair, 'server CPU µs / delivery', (r) => r.cpu.usPerDelivery, 2);
  rows.figure(pair, 'load generator busy (%)', (r) => 100 * r.loadgen.busy, 0, undefined, false);
}

function memoryRows(rows: Rows, pair: Pair<MemoryResult>): void {
  const polls = (pair.results.flowchat ?? pair.results.baseline)?.polls;
  rows.section(`memory, ${num(polls)} held polls`);
  rows.figure(pair, 'RSS idle (MiB)', (r) => r.idleKiB / 1024, 1);
  rows.figure(pair, 'RSS holding polls (MiB)', (r) => r.heldKiB / 1024, 1);
  rows.figure(pair, 'RSS after close (MiB)', (r) => r.afterCloseKiB / 1024, 1);
  rows.figure(pair, 'KiB per held poll', (r) => r.kibPerPoll, 2, 'memory.kibPerPoll');
  rows.figure(pair, 'after close vs idle (%)', (r) => 100 * r.afterCloseVsIdle, 1, 'memory.afterClose', false);
}

function buildRows(report: BenchReport): Row[] {
  const rows = new Rows(report.targets);
  report.fanout.forEach((pair) => fanoutRows(rows, pair));
  if (report.throughput !== undefined) throughputRows(rows, report.throughput);
  if (report.memory !== undefined) memoryRows(rows, report.memory);
  const flow = report.flow;
  if (flow !== undefined) {
    rows.section(`flow overhead, ${flow.stages}-stage chain`);
    // The baseline column holds the same handlers called directly.
    rows.add('packets/s (baseline: direct calls)', num(flow.networkPerSec), num(flow.directPerSec), ratioOf(flow.networkPerSec, flow.directPerSec), 'flow.network');
    rows.add('network cost per hop (ns)', num(flow.nsPerHop), '', '');
    // Here the baseline is the network without tracing: an untraced request must not notice it.
    rows.add('packets/s, tracing on, none traced (baseline: off)', num(flow.tracingIdlePerSec), num(flow.networkPerSec), ratioOf(flow.tracingIdlePerSec, flow.networkPerSec), 'flow.tracingIdle');
    rows.add('packets/s, untraced, while one is traced (baseline: off)', num(flow.tracingBusyPerSec), num(flow.networkPerSec), ratioOf(flow.tracingBusyPerSec, flow.networkPerSec));
  }
  return rows.rows;
}

/** renderTable lays the report out as aligned text. */
export function renderTable(report: BenchReport): string {
  return layout([HEADER, ...buildRows(report)]);
}

const COLUMNS: readonly (keyof Row)[] = ['scenario', 'figure', 'flowchat', 'baseline', 'ratio', 'target'];
const RIGHT = new Set<keyof Row>(['flowchat', 'baseline', 'ratio']);

function layout(rows: readonly Row[]): string {
  const width = (column: keyof Row): number => Math.max(...rows.map((r) => [...r[column]].length));
  const widths = COLUMNS.map(width);
  const cell = (row: Row, column: keyof Row, i: number): string => {
    const pad = ' '.repeat((widths[i] as number) - [...row[column]].length);
    return RIGHT.has(column) ? pad + row[column] : row[column] + pad;
  };
  const line = (row: Row): string => COLUMNS.map((c, i) => cell(row, c, i)).join('  ').trimEnd();
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  return [line(rows[0] as Row), rule, ...rows.slice(1).map(line)].join('\n');
}

/** renderMarkdown lays the same rows out as a Markdown table, for the README. */
export function renderMarkdown(report: BenchReport): string {
  const md = (r: Row): string => `| ${COLUMNS.map((c) => r[c]).join(' | ')} |`;
  return [md(HEADER), `|${COLUMNS.map((c) => (RIGHT.has(c) ? '---:' : '---')).join('|')}|`, ...buildRows(report).map(md)].join('\n');
}
