import { afterEach, describe, expect, it } from 'vitest';
import { mallocTrim } from '../../src/reclaim/malloc-trim.ts';
import { capturingLogger } from '../helpers/log-lines.ts';
import { heldPolls, openPoll, startServer, waitFor, type TestServer } from '../helpers/server.ts';

const RECLAIMED = 'the load fell: memory collected and given back';

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
    await waitFor(() => (app.reclaimer?.peakLoad ?? 0) >= 10);
    expect(app.reclaimer?.runs).toBe(0);
    for (const poll of polls) poll.disconnect();
    await waitFor(async () => (await heldPolls(base)) === 0);
    await waitFor(() => app.reclaimer?.runs === 1, 5_000);
    await waitFor(() => lines.some((line) => line.msg === RECLAIMED));
    const told = lines.find((line) => line.msg === RECLAIMED);
    // With the addon built (CI requires it: test/reclaim/malloc-trim.test.ts) the trim must have run.
    const trim = mallocTrim.trim === undefined ? 'missing' : expect.stringMatching(/^(released|nothing-released)$/);
    expect(told).toMatchObject({ openRequests: { from: expect.any(Number), to: 0 }, rssMiB: { before: expect.any(Number), after: expect.any(Number) }, trim, trimMs: expect.any(Number) });
    // The peak counts the health checks that watched the polls, too.
    expect((told?.openRequests as { from: number }).from).toBeGreaterThanOrEqual(10);
  });

  it('never samples, so never collects, with RECLAIM_AFTER_DROP=0', async () => {
    server = await startServer({ RECLAIM_AFTER_DROP: '0' });
    const { base, app } = server;
    expect(app.reclaimer?.sampling).toBe(false);
    const polls = Array.from({ length: 10 }, () => openPoll(`${base}?timeout=60`));
    await waitFor(async () => (await heldPolls(base)) === 10);
    for (const poll of polls) poll.disconnect();
    await waitFor(async () => (await heldPolls(base)) === 0);
    expect(app.reclaimer?.sampling).toBe(false);
    expect(app.reclaimer?.runs).toBe(0);
  });

  it('samples from the start with a RECLAIM_AFTER_DROP above 0', async () => {
    server = await startServer({ RECLAIM_AFTER_DROP: '8' });
    expect(server.app.reclaimer?.sampling).toBe(true);
  });
});
