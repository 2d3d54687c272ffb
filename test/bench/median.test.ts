import { describe, expect, it } from 'vitest';
import { keyFigure, medianBy } from '../../bench/harness.ts';
import type { MemoryResult } from '../../bench/types.ts';

describe('bench --repeat', () => {
  it('keeps the run with the median figure, the lower middle one of an even count', () => {
    const runs = [{ us: 70 }, { us: 50 }, { us: 100 }];
    expect(medianBy(runs, (run) => run.us)).toBe(runs[0]);
    expect(medianBy([{ us: 4 }, { us: 1 }, { us: 3 }, { us: 2 }], (run) => run.us)).toEqual({ us: 2 });
    expect(medianBy([{ us: 9 }], (run) => run.us)).toEqual({ us: 9 });
  });

  it('judges a memory run by its cost per held poll', () => {
    const memory = { kind: 'memory', polls: 10, idleKiB: 100, heldKiB: 200, afterCloseKiB: 110, kibPerPoll: 10, afterCloseVsIdle: 0.1 } satisfies MemoryResult;
    expect(keyFigure(memory)).toBe(10);
  });
});
