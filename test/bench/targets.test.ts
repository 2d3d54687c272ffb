import { describe, expect, it } from 'vitest';
import { checkTargets } from '../../bench/targets.ts';
import type { MemoryResult } from '../../bench/types.ts';

/** afterClose checks a memory run whose RSS after close is `vsIdle` above idle (negative: below). */
function afterClose(vsIdle: number): boolean | undefined {
  const flowchat = { kind: 'memory', polls: 10_000, idleKiB: 100_000, heldKiB: 190_000, afterCloseKiB: 100_000 * (1 + vsIdle), peakKiB: 200_000, kibPerPoll: 9, afterCloseVsIdle: vsIdle } satisfies MemoryResult;
  const checks = checkTargets({ fanout: [], throughput: undefined, memory: { job: { kind: 'memory', polls: 10_000, settleMs: 1_000, afterCloseMs: 2_000 }, results: { flowchat }, runs: { flowchat: [flowchat] }, exitCodes: {}, shutdownMs: {}, openFiles: {}, othersShare: {}, pids: {} }, flow: undefined });
  return checks.find((c) => c.key === 'memory.afterClose')?.pass;
}

describe('the after-close memory target', () => {
  it('passes at up to 10 % above idle and below idle, fails above', () => {
    expect(afterClose(0.05)).toBe(true);
    expect(afterClose(-0.18)).toBe(true);
    expect(afterClose(0.12)).toBe(false);
  });
});
