import { performance } from 'node:perf_hooks';
import { waitForHeld, type Publisher } from '../clients/chat-client.ts';
import { openChatClient } from '../clients/open-client.ts';
import { readDecimals, scanTexts, type TextVisitor } from '../http/poll-scan.ts';
import { BusyMeter, ServerCpu } from '../proc.ts';
import { Samples } from '../samples.ts';
import type { TargetServer, ThroughputJob, ThroughputResult } from '../types.ts';

/**
 * Throughput: pollers hold polls on one room while publishers post to it as
 * fast as the server answers, each publisher waiting for one answer before
 * its next post. Every poller must get every accepted post.
 *
 * A text carries its publisher, the publisher's count of accepted posts
 * before it (its sequence number) and the send time. Each poller keeps, per
 * publisher, the next sequence number it wants: a bigger one is a gap
 * (missed, unless it comes later: out of order), a smaller one not missing
 * a duplicate. This needs nothing of the server but the texts, so it holds
 * every server to the same account, ids or none.
 */
export async function runThroughput(target: TargetServer, job: ThroughputJob, room = 'throughput'): Promise<ThroughputResult> {
  // The room must be fresh: a poller's first poll reads from its start.
  const client = await openChatClient(target, room, 1000);
  const slots = job.pollers * job.publishers;
  const wanted = new Float64Array(slots); // per poller and publisher: the next sequence number
  const gaps = new Map<number, Set<number>>(); // slot → sequence numbers skipped, until they come
  const received = new Float64Array(job.pollers); // per poller: messages got (or skipped)
  const finished = new Uint8Array(job.pollers);
  const delays = new Samples();
  let deliveries = 0;
  let answers = 0;
  let missed = 0;
  let duplicates = 0;
  let outOfOrder = 0;
  let failures = 0;
  let lastDeliveryAt = 0;
  let total: number | undefined; // accepted posts, once posting is over
  let finishedCount = 0;
  let drained = (): void => {};

  const finish = (i: number): void => {
    if (finished[i] === 1 || total === undefined || (received[i] as number) < total) return;
    finished[i] = 1;
    if (++finishedCount === job.pollers) drained();
  };

  // The answer being scanned: one visitor for all, since a scan runs to its end synchronously.
  const text = new Float64Array(3);
  let current: { poller: number; at: number; body: Buffer } = { poller: 0, at: 0, body: Buffer.alloc(0) };
  const visit: TextVisitor = (textStart, textEnd) => {
    const { poller, at, body } = current;
    readDecimals(body, textStart, textEnd, text); // publisher, seq, sentAt
    const slot = poller * job.publishers + (text[0] as number);
    const seq = text[1] as number;
    const want = wanted[slot] as number;
    if (seq < want) {
      const skipped = gaps.get(slot);
      if (skipped?.delete(seq) === true) {
        outOfOrder++;
        missed--;
        deliveries++;
      } else {
        duplicates++;
      }
      return;
    }
    if (seq > want) {
      const skipped = gaps.get(slot) ?? new Set<number>();
      for (let s = want; s < seq; s++) skipped.add(s);
      gaps.set(slot, skipped);
      missed += seq - want;
    }
    received[poller] = (received[poller] as number) + seq - want + 1;
    wanted[slot] = seq + 1;
    deliveries++;
    delays.add(at - (text[2] as number));
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

  // Pollers that never got a publisher's last posts missed them.
  for (let i = 0; i < job.pollers; i++) missed += accepted - (received[i] as number);
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
    deliveries,
    expectedDeliveries: accepted * job.pollers,
    answers,
    deliveringMs,
    deliveriesPerSec: (deliveries * 1000) / deliveringMs,
    missed,
    duplicates,
    outOfOrder,
    failures,
    delay: delays.figures(),
    cpu: { ...cpu, usPerDelivery: (cpu.userSysMs * 1000) / deliveries },
    loadgen: loadgen.figures(),
  };
}
