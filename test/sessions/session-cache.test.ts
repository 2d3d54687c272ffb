import { describe, expect, it } from 'vitest';
import { SessionCache } from '../../src/sessions/redis/session-cache.ts';
import type { Session } from '../../src/sessions/session-store.ts';
import { ManualClock } from '../helpers/clock.ts';

const session = (token: string): Session => ({ token, user: { id: `g_${token}`, nick: token, guest: true, status: '', bio: '' } });

describe('SessionCache', () => {
  it('trusts a confirmed session for its time, and no longer', () => {
    const clock = new ManualClock();
    const cache = new SessionCache(clock.now);
    cache.keep(session('a'), cache.mark(), clock.now(), 1_000);
    clock.advance(999);
    expect(cache.get('a')?.user.nick).toBe('a');
    clock.advance(1);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('counts the time from when the confirmation was asked for, not from when it came', () => {
    const clock = new ManualClock();
    const cache = new SessionCache(clock.now);
    const askedAt = clock.now();
    clock.advance(600);
    cache.keep(session('a'), cache.mark(), askedAt, 1_000);
    clock.advance(400);
    expect(cache.get('a')).toBeUndefined();
  });

  it('does not keep a confirmation asked for before a session ended: it may have been answered before the end', () => {
    const clock = new ManualClock();
    const cache = new SessionCache(clock.now);
    const before = cache.mark();
    cache.forget(['someone-else']);
    cache.keep(session('a'), before, clock.now(), 1_000);
    expect(cache.get('a')).toBeUndefined();
    cache.keep(session('a'), cache.mark(), clock.now(), 1_000);
    expect(cache.get('a')).toBeDefined();
  });

  it('forgets ended tokens, one dropped token, or everything when events may be missed', () => {
    const clock = new ManualClock();
    const cache = new SessionCache(clock.now);
    for (const token of ['a', 'b', 'c', 'd']) cache.keep(session(token), cache.mark(), clock.now(), 1_000);
    cache.forget(['a', 'b']);
    expect(['a', 'b', 'c', 'd'].map((t) => cache.get(t) !== undefined)).toEqual([false, false, true, true]);
    const mark = cache.mark();
    cache.drop('c');
    expect(cache.get('c')).toBeUndefined();
    // A dropped token ends no confirmation under way.
    cache.keep(session('e'), mark, clock.now(), 1_000);
    expect(cache.get('e')).toBeDefined();
    const before = cache.mark();
    cache.clear();
    expect(cache.size).toBe(0);
    cache.keep(session('f'), before, clock.now(), 1_000);
    expect(cache.get('f')).toBeUndefined();
  });

  it('holds only what is within its time: each keep evicts the expired', () => {
    const clock = new ManualClock();
    const cache = new SessionCache(clock.now);
    for (let i = 0; i < 1_000; i++) {
      cache.keep(session(`t${i}`), cache.mark(), clock.now(), 1_000);
      clock.advance(10);
    }
    expect(cache.size).toBeLessThanOrEqual(101);
  });
});
