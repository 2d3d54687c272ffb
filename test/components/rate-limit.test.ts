import { afterEach, describe, expect, it, vi } from 'vitest';
import RateLimit from '../../components/rate-limit.ts';
import { postCommand } from '../../components/send-controller.ts';
import type { Reply } from '../../src/protocol/packets.ts';
import { harness } from '../helpers/component-harness.ts';
import { fakeRequest } from '../helpers/fake-request.ts';

const post = (clientAddress = '10.0.0.1') =>
  postCommand(fakeRequest({ method: 'POST', clientAddress, body: { author: 'a', text: 'hi' } }), { maxText: 4000, sessionRequired: false });

afterEach(() => {
  vi.useRealTimers();
});

describe('RateLimit', () => {
  it('passes RATE_LIMIT posts per client in 10 s, then answers 429 with Retry-After', async () => {
    vi.useFakeTimers();
    const limit = harness(RateLimit, { env: { RATE_LIMIT: '3' } });
    for (let i = 0; i < 3; i++) {
      await limit.send('in', post());
      vi.advanceTimersByTime(1000);
    }
    await limit.send('in', post());
    expect(limit.sent.out).toHaveLength(3);
    const [refused] = limit.sent.error as Reply[];
    // The oldest post leaves the window 10 s after it was made: 7 s from now.
    expect(refused).toMatchObject({ status: 429, headers: { 'retry-after': '7' }, body: { error: { code: 'RATE_LIMITED' } } });
    await limit.stop();
  });

  it('counts each client on its own', async () => {
    const limit = harness(RateLimit, { env: { RATE_LIMIT: '1' } });
    await limit.send('in', post('10.0.0.1'));
    await limit.send('in', post('10.0.0.2'));
    await limit.send('in', post('10.0.0.1'));
    expect(limit.sent.out).toHaveLength(2);
    expect(limit.sent.error).toHaveLength(1);
    await limit.stop();
  });

  it('lets a client post again once its oldest post leaves the window', async () => {
    vi.useFakeTimers();
    const limit = harness(RateLimit, { env: { RATE_LIMIT: '1' } });
    await limit.send('in', post());
    vi.advanceTimersByTime(10_000);
    await limit.send('in', post());
    expect(limit.sent.out).toHaveLength(2);
    await limit.stop();
  });

  it('does not count refused posts against the client', async () => {
    vi.useFakeTimers();
    const limit = harness(RateLimit, { env: { RATE_LIMIT: '1' } });
    await limit.send('in', post());
    vi.advanceTimersByTime(5_000);
    for (let i = 0; i < 5; i++) await limit.send('in', post());
    vi.advanceTimersByTime(5_000);
    await limit.send('in', post());
    expect(limit.sent.out).toHaveLength(2);
    await limit.stop();
  });

  it('is off with RATE_LIMIT=0', async () => {
    const limit = harness(RateLimit, { env: { RATE_LIMIT: '0' } });
    for (let i = 0; i < 100; i++) await limit.send('in', post());
    expect(limit.sent.out).toHaveLength(100);
  });
});
