import { describe, expect, it } from 'vitest';
import { costPairs, type Costs } from '../../bench/side-by-side-pairs.ts';

// A throughput run of 1,000 deliveries in 40 answers: its CPU per answer is 25 × its CPU per delivery.
function report(fanout: Record<number, number>, throughput?: number): Costs {
  return {
    fanout: Object.entries(fanout).map(([clients, usPerDelivery]) => ({ results: { flowchat: { clients: Number(clients), cpu: { usPerDelivery } } } })),
    throughput: throughput === undefined ? undefined : { results: { flowchat: { answers: 40, cpu: { usPerDelivery: throughput, userSysMs: throughput } } } },
  };
}

describe('costPairs', () => {
  it('pairs the CPU per delivery of the same figures in two reports', () => {
    expect(costPairs(report({ 1000: 50, 10000: 60 }, 2), report({ 10000: 54, 1000: 49 }, 2.2))).toEqual([
      { figure: 'fanout N=1000', a: 50, b: 49 },
      { figure: 'fanout N=10000', a: 60, b: 54 },
      { figure: 'throughput', a: 2, b: 2.2 },
      { figure: 'throughput/answer', a: 50, b: 55 },
    ]);
  });

  it('leaves out a figure only one report has', () => {
    expect(costPairs(report({ 1000: 50, 10000: 60 }), report({ 10000: 54 }, 2))).toEqual([{ figure: 'fanout N=10000', a: 60, b: 54 }]);
  });
});
