import { expect, it } from 'vitest';
import { describeBackends } from '../helpers/backends.ts';
import { ManualClock } from '../helpers/clock.ts';

describeBackends('RateWindow contract', (backend) => {
  it('allows `limit` events per key in any window, then says how long to wait until the oldest leaves it', async () => {
    const clock = new ManualClock();
    const window = (await backend.stores(clock.now)).rateWindow('test', 3, 10_000);
    for (let i = 0; i < 3; i++) {
      expect(await window.take('alice')).toBe(0);
      clock.advance(1_000);
    }
    expect(await window.take('alice')).toBe(7_000);
    expect(await window.take('bob')).toBe(0);
    clock.advance(6_999);
    expect(await window.wait('alice')).toBe(1);
    clock.advance(1);
    expect(await window.take('alice')).toBe(0);
    expect(await window.take('alice')).toBe(1_000);
  });

  it('records refused events only when asked to, and waits without recording', async () => {
    const clock = new ManualClock();
    const window = (await backend.stores(clock.now)).rateWindow('failures', 2, 60_000);
    expect(await window.wait('x')).toBe(0);
    await window.record('x');
    await window.record('x');
    expect(await window.wait('x')).toBe(60_000);
    clock.advance(30_000);
    await window.record('x');
    // The newest two decide: the wait runs from the second.
    expect(await window.wait('x')).toBe(30_000);
    expect(await window.wait('y')).toBe(0);
  });

  it('keeps the counts of differently named windows apart', async () => {
    const stores = await backend.stores();
    const posts = stores.rateWindow('posts', 1, 10_000);
    const logins = stores.rateWindow('logins', 1, 10_000);
    expect(await posts.take('k')).toBe(0);
    expect(await logins.take('k')).toBe(0);
    expect(await posts.take('k')).toBeGreaterThan(0);
  });

  it('takes a new limit from the next event on, counting the events already taken', async () => {
    const clock = new ManualClock();
    const window = (await backend.stores(clock.now)).rateWindow('changing', 3, 10_000);
    for (let i = 0; i < 3; i++) {
      expect(await window.take('alice')).toBe(0);
      clock.advance(1_000);
    }
    window.limit = 2;
    // The two newest of three decide: the wait runs from the second, at 1 s.
    expect(await window.take('alice')).toBe(8_000);
    window.limit = 5;
    expect(await window.take('alice')).toBe(0);
    expect(await window.take('alice')).toBe(0);
    expect(await window.take('alice')).toBe(7_000);
  });
});
