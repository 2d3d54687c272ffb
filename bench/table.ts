import type { BenchReport, Pair, TargetCheck } from './report.ts';
import { fanoutId } from './targets.ts';
import { usPerAnswer, type AftermathResult, type DelayFigures, type FanoutResult, type MemoryResult, type ServerName, type ServerResult, type ThroughputResult } from './types.ts';

/**
 * The printed table: one row per figure, a column per server that ran
 * (flowchat, the baseline, the peers), flowchat's ratio to each of the
 * others, and the target with ✓ or ✗ where the issues set one.
 */

/** SERVER_ORDER is the columns' order; LABELS their headings. */
const SERVER_ORDER: readonly ServerName[] = ['flowchat', 'baseline', 'socketio', 'nchan'];
const LABELS: Readonly<Record<ServerName, string>> = { flowchat: 'flowchat', baseline: 'baseline', socketio: 'socket.io', nchan: 'nginx + nchan' };

/** A row's cells, in column order: scenario, figure, one per server, one ratio per other server, target. */
type Row = readonly string[];

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

  constructor(
    private readonly servers: readonly ServerName[],
    private readonly targets: readonly TargetCheck[],
  ) {}

  /** others are the servers flowchat is divided by. */
  get others(): readonly ServerName[] {
    return this.servers.filter((name) => name !== 'flowchat');
  }

  header(): Row {
    return ['Scenario', 'Figure', ...this.servers.map((name) => LABELS[name]), ...this.others.map((name) => `flowchat ÷ ${LABELS[name]}`), 'Target'];
  }

  section(title: string): void {
    this.scenario = title;
  }

  /** figure adds a row comparing the servers; `key` finds the target that applies, if any. */
  figure<R extends ServerResult>(pair: Pair<R>, name: string, read: Figure<R>, decimals: number, key?: string, ratio = true): void {
    const value = (server: ServerName): number | undefined => {
      const result = pair.results[server];
      return result === undefined ? undefined : read(result);
    };
    const flowchat = value('flowchat');
    this.add(
      name,
      this.servers.map((server) => num(value(server), decimals)),
      this.others.map((other) => (ratio ? ratioOf(flowchat, value(other)) : '')),
      key,
    );
  }

  /** text adds a row of texts, one per server, without ratios. */
  text<R extends ServerResult>(pair: Pair<R>, name: string, read: (result: R) => string, key?: string): void {
    this.add(
      name,
      this.servers.map((server) => {
        const result = pair.results[server];
        return result === undefined ? '–' : read(result);
      }),
      this.others.map(() => ''),
      key,
    );
  }

  /** add adds a row as given: a cell per server, a ratio per other server. */
  add(figure: string, values: readonly string[], ratios: readonly string[], key?: string): void {
    // A figure may have several targets: `throughput.cpu` (against the baseline) and `throughput.cpu.socketio`.
    const checks = key === undefined ? [] : this.targets.filter((t) => t.key === key || t.key.startsWith(`${key}.`));
    const target = checks.map((check) => `${check.target} ${check.pass ? '✓' : '✗'}`).join(', ');
    this.rows.push([this.scenario, figure, ...values, ...ratios, target]);
    this.scenario = '';
  }
}

function delays<R extends ServerResult>(rows: Rows, pair: Pair<R>, read: (r: R) => DelayFigures, p99Key?: string): void {
  rows.figure(pair, 'delay p50 (ms)', (r) => read(r).p50Ms, 2);
  rows.figure(pair, 'delay p99 (ms)', (r) => read(r).p99Ms, 2, p99Key);
  rows.figure(pair, 'delay max (ms)', (r) => read(r).maxMs, 2);
}

const share = (part: number, whole: number): string => `${num(part)}/${num(whole)} (${num((100 * part) / whole, 2)}%)`;

const anyResult = <R extends ServerResult>(pair: Pair<R>): R | undefined => Object.values(pair.results)[0] as R | undefined;

function fanoutRows(rows: Rows, pair: Pair<FanoutResult>): void {
  const id = fanoutId(anyResult(pair)?.clients ?? 0);
  rows.section(`fan-out N=${num(anyResult(pair)?.clients)}`);
  delays(rows, pair, (r) => r.delay, `${id}.p99`);
  rows.text(pair, 'delivered', (r) => share(r.delivered, r.expected), `${id}.delivered`);
  rows.figure(pair, 'server CPU µs / delivery', (r) => r.cpu.usPerDelivery, 2, `${id}.cpu`);
  rows.figure(pair, 'load generator busy (%)', (r) => 100 * r.loadgen.busy, 0, undefined, false);
}

function throughputRows(rows: Rows, pair: Pair<ThroughputResult>): void {
  const any = anyResult(pair);
  rows.section(`throughput ${num(any?.pollers)} pollers, ${num(any?.publishers)} publishers`);
  rows.figure(pair, 'accepted posts/s', (r) => r.acceptedPerSec, 0);
  rows.figure(pair, 'deliveries/s', (r) => r.deliveriesPerSec, 0, 'throughput.deliveries');
  rows.figure(pair, 'messages per poll answer', (r) => r.deliveries / r.answers, 1);
  rows.text(pair, 'missed', (r) => (r.expectedDeliveries === 0 ? num(r.missed) : share(r.missed, r.expectedDeliveries)), 'throughput.missed');
  delays(rows, pair, (r) => r.delay);
  rows.figure(pair, 'server CPU µs / delivery', (r) => r.cpu.usPerDelivery, 2, 'throughput.cpu');
  rows.figure(pair, 'server CPU µs / poll answer', (r) => usPerAnswer(r), 1);
  rows.figure(pair, 'load generator busy (%)', (r) => 100 * r.loadgen.busy, 0, undefined, false);
}

function memoryRows(rows: Rows, pair: Pair<MemoryResult>): void {
  rows.section(`memory, ${num(anyResult(pair)?.polls)} held polls`);
  rows.figure(pair, 'RSS idle (MiB)', (r) => r.idleKiB / 1024, 1, 'memory.idle');
  rows.figure(pair, 'RSS holding polls (MiB)', (r) => r.heldKiB / 1024, 1);
  rows.figure(pair, 'RSS after close (MiB)', (r) => r.afterCloseKiB / 1024, 1);
  rows.figure(pair, 'RSS peak (MiB)', (r) => r.peakKiB / 1024, 1);
  rows.figure(pair, 'KiB per held poll', (r) => r.kibPerPoll, 2, 'memory.kibPerPoll');
  rows.figure(pair, 'after close vs idle (%)', (r) => 100 * r.afterCloseVsIdle, 1, 'memory.afterClose', false);
}

function aftermathRows(rows: Rows, pair: Pair<AftermathResult>): void {
  rows.section(`aftermath: throughput, ${num(anyResult(pair)?.memory.polls)} held polls, throughput`);
  rows.figure(pair, 'server CPU µs / delivery, fresh', (r) => r.fresh.cpu.usPerDelivery, 2);
  rows.figure(pair, 'server CPU µs / delivery, after', (r) => r.after.cpu.usPerDelivery, 2);
  rows.figure(pair, 'after ÷ fresh', (r) => r.slowdown, 2, 'aftermath.slowdown', false);
  rows.figure(pair, 'deliveries/s, after', (r) => r.after.deliveriesPerSec, 0);
}

/** serversOf lists the servers with a figure in the report, in column order. */
function serversOf(report: BenchReport): ServerName[] {
  const pairs = [...report.fanout, report.throughput, report.memory, report.aftermath].filter((pair) => pair !== undefined);
  return SERVER_ORDER.filter((name) => pairs.some((pair) => pair.results[name] !== undefined));
}

function buildRows(report: BenchReport): { header: Row; rows: Row[] } {
  const servers = serversOf(report);
  // The flow scenario has two columns of its own (network, and a baseline it names); without a server scenario they are these.
  const rows = new Rows(servers.length > 0 ? servers : ['flowchat', 'baseline'], report.targets);
  report.fanout.forEach((pair) => fanoutRows(rows, pair));
  if (report.throughput !== undefined) throughputRows(rows, report.throughput);
  if (report.memory !== undefined) memoryRows(rows, report.memory);
  if (report.aftermath !== undefined) aftermathRows(rows, report.aftermath);
  const flow = report.flow;
  if (flow !== undefined) {
    rows.section(`flow overhead, ${flow.stages}-stage chain`);
    // In the flowchat column the network; in the baseline column, the row's own baseline; the peers have none.
    const pad = (cells: readonly string[]): string[] => [...cells, ...rows.others.slice(1).map(() => '')];
    rows.add('packets/s (baseline: direct calls)', [num(flow.networkPerSec), ...pad([num(flow.directPerSec)])], pad([ratioOf(flow.networkPerSec, flow.directPerSec)]), 'flow.network');
    rows.add('network cost per hop (ns)', [num(flow.nsPerHop), ...pad([''])], pad(['']));
    rows.add('packets/s, tracing on, none traced (baseline: off)', [num(flow.tracingIdlePerSec), ...pad([num(flow.networkPerSec)])], pad([ratioOf(flow.tracingIdlePerSec, flow.networkPerSec)]), 'flow.tracingIdle');
    rows.add('packets/s, untraced, while one is traced (baseline: off)', [num(flow.tracingBusyPerSec), ...pad([num(flow.networkPerSec)])], pad([ratioOf(flow.tracingBusyPerSec, flow.networkPerSec)]));
  }
  return { header: rows.header(), rows: rows.rows };
}

/** renderTable lays the report out as aligned text. */
export function renderTable(report: BenchReport): string {
  const { header, rows } = buildRows(report);
  return layout(header, rows, isRight);
}

/** Figures and ratios are right-aligned: every column but the first two and the last. */
const isRight = (column: number, count: number): boolean => column >= 2 && column < count - 1;

/** RightAligned says which columns of a table of `count` columns hold figures. */
export type RightAligned = (column: number, count: number) => boolean;

/** layout lays rows out as aligned text under their header and a rule. */
export function layout(header: Row, rows: readonly Row[], right: RightAligned): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((row) => [...(row[c] ?? '')].length)));
  const line = (row: Row): string =>
    row
      .map((cell, c) => {
        const pad = ' '.repeat((widths[c] as number) - [...cell].length);
        return right(c, header.length) ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** markdownTable lays the same rows out as a Markdown table, for the READMEs. */
export function markdownTable(header: Row, rows: readonly Row[], right: RightAligned): string {
  const md = (row: Row): string => `| ${row.join(' | ')} |`;
  return [md(header), `|${header.map((_, c) => (right(c, header.length) ? '---:' : '---')).join('|')}|`, ...rows.map(md)].join('\n');
}

/** renderMarkdown lays the report's rows out as a Markdown table. */
export function renderMarkdown(report: BenchReport): string {
  const { header, rows } = buildRows(report);
  return markdownTable(header, rows, isRight);
}

/**
 * renderTargetRounds lists, for a `--repeat` run, each target with its
 * figure in every round and the verdict on their median (or on every round,
 * for a target of correctness); undefined for a single round, whose table
 * says it all.
 */
export function renderTargetRounds(report: BenchReport): string | undefined {
  const judged = report.targets.filter((check) => check.rounds !== undefined && check.rounds.length > 1);
  if (judged.length === 0) return undefined;
  // Three decimals for a ratio, so that 0.903 does not show as a passing 0.90.
  const figure = (value: number): string => num(value, Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 3);
  const rows = judged.map((check) => [
    check.key,
    check.target,
    check.everyRound === true ? 'every round' : figure(check.value),
    (check.rounds ?? []).map(figure).join(', '),
    check.pass ? '✓' : '✗',
  ]);
  const header = ['Target', 'Goal', 'Median', 'Each round, in order', ''];
  const title = `Targets over the ${num(report.repeat)} rounds: each judged on its own figure's median round, a target of correctness on every round. Ratios are flowchat ÷ the server named; memory in the goal's unit (after close: % above idle).`;
  return `${title}\n\n${layout(header, rows, (column) => column === 2)}`;
}
