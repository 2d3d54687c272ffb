import type { ProfileSummary } from './profile.ts';
import { layout, markdownTable, num } from './table.ts';

/** ProfiledServer is one server of a profile run: its profile and its measured CPU per delivery. */
export interface ProfiledServer {
  readonly name: string;
  readonly profile: ProfileSummary;
  readonly usPerDelivery: number;
}

/** Every column but the first (the origin) holds figures. */
const figures = (column: number): boolean => column > 0;

/** Origins under this share of every server's busy time are summed into one row. */
const SMALL_PERCENT = 0.5;

/**
 * renderOrigins splits each server's CPU per delivery by whose code ran,
 * in the shares its profile gives (the profiler's own cost spread evenly),
 * one column per server and, for two, the first less the second: where
 * flowchat's extra microseconds over the bare server go.
 */
export function renderOrigins(servers: readonly ProfiledServer[], markdown = false): string {
  const perDelivery = (server: ProfiledServer, origin: string): number =>
    ((server.profile.origins.find((o) => o.origin === origin)?.percent ?? 0) / 100) * server.usPerDelivery;
  const first = servers[0];
  if (first === undefined) return '';
  const seen = [...new Set(servers.flatMap((s) => s.profile.origins.map((o) => o.origin)))];
  const large = seen.filter((origin) => servers.some((s) => (s.profile.origins.find((o) => o.origin === origin)?.percent ?? 0) >= SMALL_PERCENT));
  const small = seen.filter((origin) => !large.includes(origin));
  large.sort((a, b) => perDelivery(first, b) - perDelivery(first, a));

  const difference = servers.length === 2;
  const row = (label: string, values: readonly number[]): string[] => [
    label,
    ...values.map((v) => num(v, 2)),
    ...(difference ? [signed((values[0] as number) - (values[1] as number))] : []),
  ];
  const header = ['µs per delivery', ...servers.map((s) => s.name), ...(difference ? ['difference'] : [])];
  const rows = large.map((origin) => row(origin, servers.map((s) => perDelivery(s, origin))));
  if (small.length > 0) {
    const sum = (s: ProfiledServer): number => small.reduce((total, origin) => total + perDelivery(s, origin), 0);
    rows.push(row(`${small.length} more, each under ${SMALL_PERCENT} %`, servers.map(sum)));
  }
  rows.push(row('total', servers.map((s) => s.usPerDelivery)));
  return (markdown ? markdownTable : layout)(header, rows, figures);
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : '−'}${num(Math.abs(value), 2)}`;
}
