import { openMany, RawConnection } from '../http/raw-connection.ts';
import { Requests, sleep, waitForHeld } from '../http/requests.ts';
import { readRssKiB } from '../proc.ts';
import type { MemoryJob, MemoryResult, TargetServer } from '../types.ts';

/**
 * Memory: the server's RSS idle, while it holds N polls, and some seconds
 * after their clients went away. What a held poll costs is the difference
 * divided by N; what is left after close shows whether released polls are
 * really released (PROTOCOL.md: "nothing of it stays in memory").
 */
export async function runMemory(target: TargetServer, job: MemoryJob): Promise<MemoryResult> {
  const requests = new Requests(target, 'memory', 100);
  const control = await RawConnection.open(target.port, target.host);
  await sleep(job.settleMs);
  const idleKiB = readRssKiB(target.pid);

  const clients = await openMany(job.polls, target.port, target.host);
  for (const client of clients) client.send(requests.poll(0), () => {});
  await waitForHeld(control, requests, job.polls, Math.max(30_000, job.polls * 5));
  await sleep(job.settleMs);
  const heldKiB = readRssKiB(target.pid);

  for (const client of clients) client.close();
  await waitForHeld(control, requests, 0, 30_000);
  await sleep(job.afterCloseMs);
  const afterCloseKiB = readRssKiB(target.pid);
  control.close();

  return {
    kind: 'memory',
    polls: job.polls,
    idleKiB,
    heldKiB,
    afterCloseKiB,
    kibPerPoll: (heldKiB - idleKiB) / job.polls,
    afterCloseVsIdle: afterCloseKiB / idleKiB - 1,
  };
}
