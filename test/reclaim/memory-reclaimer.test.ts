import { afterEach, describe, expect, it, vi } from 'vitest';
import { lowMemoryCollection, MemoryReclaimer, type Collected } from '../../src/reclaim/memory-reclaimer.ts';

/** A reclaimer over a load and a clock the test sets. */
function reclaimerUnderTest(minDrop = 1000) {
  const state = { open: 0, now: 0, collected: 0 };
  const reclaimer = new MemoryReclaimer(() => state.open, () => state.collected++, { minDrop, quietMs: 1000, sampleMs: 250 }, () => state.now);
  /** look samples the load `open` at time `now`. */
  const look = (open: number, now: number): boolean => {
    state.open = open;
    state.now = now;
    return reclaimer.sample();
  };
  return { state, reclaimer, look };
}

describe('MemoryReclaimer', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('collects once the load has fallen to half its peak or less and stayed there for the quiet time', () => {
    const { state, look } = reclaimerUnderTest();
    expect(look(10_000, 0)).toBe(false);
    expect(look(100, 250)).toBe(false);
    expect(look(50, 1000)).toBe(false);
    expect(look(0, 1250)).toBe(true);
    expect(state.collected).toBe(1);
    // The peak starts again from what is left: the same quiet load collects nothing more.
    expect(look(0, 5000)).toBe(false);
    expect(look(0, 9000)).toBe(false);
    expect(state.collected).toBe(1);
  });

  it('never collects under a steady load whose polls are answered and come back between samples', () => {
    const { state, look } = reclaimerUnderTest();
    for (let t = 0; t < 60_000; t += 250) look(t % 1000 === 500 ? 200 : 10_000, t);
    expect(state.collected).toBe(0);
  });

  it('needs the fall to last: a load that comes back restarts the quiet time', () => {
    const { state, look } = reclaimerUnderTest();
    look(10_000, 0);
    look(0, 250);
    look(9_000, 1000);
    expect(look(0, 1250)).toBe(false);
    expect(look(0, 2000)).toBe(false);
    expect(look(0, 2250)).toBe(true);
    expect(state.collected).toBe(1);
  });

  it('ignores a fall smaller than minDrop, however deep in proportion', () => {
    const { state, look } = reclaimerUnderTest(1000);
    look(900, 0);
    for (let t = 250; t < 10_000; t += 250) look(0, t);
    expect(state.collected).toBe(0);
  });

  it('samples on its own once started, and not after stop or with minDrop 0', () => {
    vi.useFakeTimers();
    let open = 5000;
    let collected = 0;
    const reclaimer = new MemoryReclaimer(() => open, () => collected++, { minDrop: 1000, quietMs: 1000, sampleMs: 250 });
    reclaimer.start();
    vi.advanceTimersByTime(250);
    open = 0;
    vi.advanceTimersByTime(1500);
    expect(collected).toBe(1);
    reclaimer.stop();
    expect(vi.getTimerCount()).toBe(0);
    const off = new MemoryReclaimer(() => 0, () => collected++, { minDrop: 0, quietMs: 1000, sampleMs: 250 });
    off.start();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('lowMemoryCollection', () => {
  it('frees garbage nothing else would collect, through the in-process inspector, then trims the allocator', async () => {
    let heapAtTrim: number | undefined;
    const collect = lowMemoryCollection(() => {
      heapAtTrim = process.memoryUsage().heapUsed;
      return true;
    });
    expect(collect).toBeDefined();
    let garbage: { n: number }[] | undefined = Array.from({ length: 500_000 }, (_, n) => ({ n }));
    const before = process.memoryUsage().heapUsed;
    expect(garbage.length).toBe(500_000);
    garbage = undefined;
    const collected = await new Promise<Collected>((resolve) => collect?.(resolve));
    expect(collected.trim).toBe('released');
    expect(collected.trimMs).toBeGreaterThanOrEqual(0);
    // The trim came after the collection, so it could hand back what the collection freed.
    expect(before - (heapAtTrim ?? before)).toBeGreaterThan(10 * 1024 * 1024);
  });

  it('collects without a trim where the addon is missing, and says the trim is missing', async () => {
    const collect = lowMemoryCollection(undefined);
    expect(await new Promise<Collected>((resolve) => collect?.(resolve))).toEqual({ trim: 'missing', trimMs: 0 });
  });
});
