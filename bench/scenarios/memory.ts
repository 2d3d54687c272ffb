import { sleep, waitForHeld } from '../clients/chat-client.ts';
import { openChatClient } from '../clients/open-client.ts';
import { readPeakRssKiB, readRssKiB } from '../proc.ts';
import type { MemoryJob, MemoryResult, TargetServer } from '../types.ts';

/**
 * Memory: the server's RSS idle, while it holds N polls, and some seconds
 * after their clients went away. What a held poll costs is the difference
 * divided by N (for a server whose protocol opens a session per client,
 * the session's share too); what is left after close shows whether released
 * polls are really released (PROTOCOL.md: "nothing of it stays in memory").
 * The readings come once each step has settled; the peak, the most RSS the
 * process had at once, is what the wave of connections needed while it came
 * (a collector's young generation grown to absorb it, say).
 */
export async function runMemory(target: TargetServer, job: MemoryJob): Promise<MemoryResult> {
  const client = await openChatClient(target, 'memory', 100);
  await sleep(job.settleMs);
  const idleKiB = readRssKiB(target.pid);

  const subscribers = await client.subscribers(job.polls, { answered: () => {}, failed: () => {} });
  subscribers.start();
  await waitForHeld(client, job.polls, Math.max(30_000, job.polls * 5));
  await sleep(job.settleMs);
  const heldKiB = readRssKiB(target.pid);

  subscribers.close();
  await waitForHeld(client, 0, 30_000);
  await sleep(job.afterCloseMs);
  const afterCloseKiB = readRssKiB(target.pid);
  const peakKiB = readPeakRssKiB(target.pid);
  client.close();

  return {
    kind: 'memory',
    polls: job.polls,
    idleKiB,
    heldKiB,
    afterCloseKiB,
    peakKiB,
    kibPerPoll: (heldKiB - idleKiB) / job.polls,
    afterCloseVsIdle: afterCloseKiB / idleKiB - 1,
  };
}
