import { afterEach, describe, expect, it } from 'vitest';
import { capturingLogger } from '../helpers/log-lines.ts';
import { heldPolls, openPoll, startServer, waitFor, type TestServer } from '../helpers/server.ts';

describe('giving memory back after a wave of clients', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('collects and trims once the open requests have fallen by RECLAIM_AFTER_DROP and stayed down for a second', async () => {
    const { logger, lines } = capturingLogger();
    server = await startServer({ RECLAIM_AFTER_DROP: '8' }, { logger });
    const { base, app } = server;
    const polls = Array.from({ length: 10 }, () => openPoll(`${base}?timeout=60`));
    await waitFor(async () => (await heldPolls(base)) === 10);
    await new Promise((resolve) => setTimeout(resolve, 300)); // a sample sees the peak
    expect(app.reclaimer?.runs).toBe(0);
    for (const poll of polls) poll.disconnect();
    await waitFor(async () => (await heldPolls(base)) === 0);
    await waitFor(() => app.reclaimer?.runs === 1, 3_000);
    await waitFor(() => lines.some((line) => line.msg === 'the load fell: memory collected and given back'));
    const told = lines.find((line) => line.msg === 'the load fell: memory collected and given back');
    // The peak counts the health checks that watched the polls, too.
    expect(told).toMatchObject({ openRequests: { from: expect.any(Number), to: 0 }, rssMiB: { before: expect.any(Number), after: expect.any(Number) }, trimmed: expect.any(Boolean), trimMs: expect.any(Number) });
    expect((told?.openRequests as { from: number }).from).toBeGreaterThanOrEqual(10);
  });

  it('never collects with RECLAIM_AFTER_DROP=0', async () => {
    server = await startServer({ RECLAIM_AFTER_DROP: '0' });
    const { base, app } = server;
    const polls = Array.from({ length: 10 }, () => openPoll(`${base}?timeout=60`));
    await waitFor(async () => (await heldPolls(base)) === 10);
    for (const poll of polls) poll.disconnect();
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    expect(app.reclaimer?.runs).toBe(0);
  });
});
