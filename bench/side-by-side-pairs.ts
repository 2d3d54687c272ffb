import { usPerAnswer } from './types.ts';

/** CostPair is what one figure cost in two checkouts benched at the same time. */
export interface CostPair {
  /** The scenario and size, as the table names it: `fanout N=10000`, `throughput`, `throughput/answer`. */
  readonly figure: string;
  /** Server CPU µs per delivery (per poll answer for `throughput/answer`) of each checkout's flowchat. */
  readonly a: number;
  readonly b: number;
}

/** Costs is the part of a BenchReport that costPairs reads. */
export interface Costs {
  readonly fanout: readonly { readonly results: { readonly flowchat?: { readonly clients: number; readonly cpu: { readonly usPerDelivery: number } } } }[];
  readonly throughput: { readonly results: { readonly flowchat?: { readonly answers: number; readonly cpu: { readonly usPerDelivery: number; readonly userSysMs: number } } } } | undefined;
}

/**
 * costPairs pairs the CPU-per-delivery figures of two reports from runs made
 * side by side: whatever the machine did during them, it did to both, so
 * b ÷ a compares the two versions of flowchat where figures from different
 * times cannot (this VM drifts by more than most changes are worth). The
 * throughput run is paired twice: per delivery, its figure, and per poll
 * answer, which the load generator's pace does not move (see usPerAnswer).
 */
export function costPairs(a: Costs, b: Costs): CostPair[] {
  const pairs: CostPair[] = [];
  for (const pairA of a.fanout) {
    const fanA = pairA.results.flowchat;
    const fanB = b.fanout.find((pairB) => pairB.results.flowchat?.clients === fanA?.clients)?.results.flowchat;
    if (fanA !== undefined && fanB !== undefined) pairs.push({ figure: `fanout N=${fanA.clients}`, a: fanA.cpu.usPerDelivery, b: fanB.cpu.usPerDelivery });
  }
  const thrA = a.throughput?.results.flowchat;
  const thrB = b.throughput?.results.flowchat;
  if (thrA !== undefined && thrB !== undefined) {
    pairs.push({ figure: 'throughput', a: thrA.cpu.usPerDelivery, b: thrB.cpu.usPerDelivery });
    pairs.push({ figure: 'throughput/answer', a: usPerAnswer(thrA), b: usPerAnswer(thrB) });
  }
  return pairs;
}
