import { describe, expect, it } from 'vitest';
import { keyFigure, reportedRuns } from '../../bench/harness.ts';
import { medianBy } from '../../bench/samples.ts';
import type { MemoryResult, ServerName } from '../../bench/types.ts';

type Run = { readonly us: number };

describe('bench --repeat', () => {
  it('keeps the run with the median figure, the lower middle one of an even count', () => {
    const runs = [{ us: 70 }, { us: 50 }, { us: 100 }];
    expect(medianBy(runs, (run) => run.us)).toBe(runs[0]);
    expect(medianBy([{ us: 4 }, { us: 1 }, { us: 3 }, { us: 2 }], (run) => run.us)).toEqual({ us: 2 });
    expect(medianBy([{ us: 9 }], (run) => run.us)).toEqual({ us: 9 });
  });

  it('judges a memory run by its cost per held poll', () => {
    const memory = { kind: 'memory', polls: 10, idleKiB: 100, heldKiB: 200, afterCloseKiB: 110, peakKiB: 210, kibPerPoll: 10, afterCloseVsIdle: 0.1 } satisfies MemoryResult;
    expect(keyFigure(memory)).toBe(10);
  });

  it("reports the round whose flowchat ÷ baseline ratio is the median, both runs of it", () => {
    // Each server's own median (82 and 53) would come from different rounds: 1.56×.
    const runs = new Map<ServerName, Run[]>([
      ['flowchat', [{ us: 82 }, { us: 85 }, { us: 61 }]],
      ['baseline', [{ us: 76 }, { us: 51 }, { us: 53 }]],
    ]);
    const reported = reportedRuns(runs, (run) => run.us);
    expect(reported.get('flowchat')).toBe(runs.get('flowchat')?.[2]);
    expect(reported.get('baseline')).toBe(runs.get('baseline')?.[2]);
  });

  it("reports the peers' runs of that same round, whatever their own figures", () => {
    const runs = new Map<ServerName, Run[]>([
      ['flowchat', [{ us: 82 }, { us: 85 }, { us: 61 }]],
      ['baseline', [{ us: 76 }, { us: 51 }, { us: 53 }]],
      ['socketio', [{ us: 10 }, { us: 90 }, { us: 50 }]],
      ['nchan', [{ us: 30 }, { us: 20 }, { us: 25 }]],
    ]);
    const reported = reportedRuns(runs, (run) => run.us);
    expect(reported.get('socketio')).toBe(runs.get('socketio')?.[2]);
    expect(reported.get('nchan')).toBe(runs.get('nchan')?.[2]);
  });

  it('reports the median run of a server that ran alone', () => {
    const runs = new Map<ServerName, Run[]>([['flowchat', [{ us: 70 }, { us: 50 }, { us: 100 }]]]);
    expect(reportedRuns(runs, (run) => run.us).get('flowchat')).toEqual({ us: 70 });
  });
});
