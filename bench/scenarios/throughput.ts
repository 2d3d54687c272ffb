import { performance } from 'node:perf_hooks';
import { waitForHeld, type Publisher } from '../clients/chat-client.ts';
import { openChatClient } from '../clients/open-client.ts';
import { readDecimals, scanTexts, type TextVisitor } from '../http/poll-scan.ts';
import { BusyMeter, ServerCpu } from '../proc.ts';
import { Samples } from '../samples.ts';
import { SequenceAccount } from './sequence-account.ts';
import type { TargetServer, ThroughputJob, ThroughputResult } from '../types.ts';

/**
 * Throughput: pollers hold polls on one room while publishers post to it as
 * fast as the server answers, each publisher waiting for one answer before
 * its next post. Every poller must get every accepted post.
 *
 * A text carries its publisher, the publisher's count of accepted posts
 * before it (its sequence number) and the send time: the sequence numbers
 * are what SequenceAccount checks, the send time gives the delay.
 */
export async function runThroughput(target: TargetServer, job: ThroughputJob, room = 'throughput'): Promise<ThroughputResult> {
  // The room must be fresh: a poller's first poll reads from its start.
  const client = await openChatClient(target, room, 1000);
  const account = new SequenceAccount(job.pollers, job.publishers);
  const finished = new Uint8Array(job.pollers);
  const delays = new Samples();
  let answers = 0;
  let failures = 0;
  let lastDeliveryAt = 0;
  let total: number | undefined; // accepted posts, once posting is over
  let finishedCount = 0;
  let drained = (): void => {};

  const finish = (i: number): void => {
    if (finished[i] === 1 || total === undefined || !account.reachedAll(i, total)) return;
    finished[i] = 1;
    if (++finishedCount === job.pollers) drained();
  };

  // The answer being scanned: one visitor for all, since a scan runs to its end synchronously.
  const text = new Float64Array(3);
  let current: { poller: number; at: number; body: Buffer } = { poller: 0, at: 0, body: Buffer.alloc(0) };
  const visit: TextVisitor = (textStart, textEnd) => {
    const { poller, at, body } = current;
    readDecimals(body, textStart, textEnd, text); // publisher, seq, sentAt
    if (account.got(poller, text[0] as number, text[1] as number)) delays.add(at - (text[2] as number));
  };

  const subscribers = await client.subscribers(job.pollers, {
    failed: () => failures++,
    answered: (i, body, at) => {
      current = { poller: i, at, body };
      if (scanTexts(body, visit) > 0) {
        answers++;
        lastDeliveryAt = at;
      }
      finish(i);
    },
  });
  const publishers: Publisher[] = [];
  // Nicks of their own in each room: an earlier run's sessions in the same process still hold theirs.
  for (let p = 0; p < job.publishers; p++) publishers.push(await client.publisher(`pub${p}.${room}`));

  subscribers.start();
  await waitForHeld(client, job.pollers, 30_000);

  const refused: Record<string, number> = {};
  let accepted = 0;
  let lastAcceptedAt = 0;
  const loadgen = new BusyMeter();
  loadgen.start();
  const serverCpu = new ServerCpu(target);
  const startedAt = performance.now();
  const endAt = startedAt + job.durationMs;
  await Promise.all(
    publishers.map(
      (publisher, p) =>
        new Promise<void>((resolve) => {
          let seq = 0;
          publisher.onLost(() => {
            refused.lost = (refused.lost ?? 0) + 1;
            resolve();
          });
          const post = (): void => publisher.post(`${p} ${seq} ${performance.now().toFixed(3)}`, answered);
          const answered = (ok: boolean, status: string, at: number): void => {
            if (ok) {
              seq++;
              accepted++;
              lastAcceptedAt = at;
            } else {
              refused[status] = (refused[status] ?? 0) + 1;
            }
            if (at < endAt) post();
            else resolve();
          };
          post();
        }),
    ),
  );

  total = accepted;
  const allDrained = new Promise<void>((resolve) => {
    drained = resolve;
    for (let i = 0; i < job.pollers; i++) finish(i);
    if (finishedCount === job.pollers) resolve();
  });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([allDrained, new Promise<void>((resolve) => (timer = setTimeout(resolve, job.drainTimeoutMs)))]);
  clearTimeout(timer);
  const cpu = serverCpu.spent();
  loadgen.stop();

  account.close(accepted);
  client.close();

  const postingMs = lastAcceptedAt - startedAt;
  const deliveringMs = lastDeliveryAt - startedAt;
  return {
    kind: 'throughput',
    pollers: job.pollers,
    publishers: job.publishers,
    postingMs,
    accepted,
    refused,
    acceptedPerSec: (accepted * 1000) / postingMs,
    deliveries: account.delivered,
    expectedDeliveries: accepted * job.pollers,
    answers,
    deliveringMs,
    deliveriesPerSec: (account.delivered * 1000) / deliveringMs,
    missed: account.missed,
    duplicates: account.duplicates,
    outOfOrder: account.outOfOrder,
    failures,
    delay: delays.figures(),
    cpu: { ...cpu, usPerDelivery: (cpu.userSysMs * 1000) / account.delivered },
    loadgen: loadgen.figures(),
  };
}
