import { performance } from 'node:perf_hooks';
import { openMany, RawConnection, type RawResponse, type ResponseHandler } from '../http/raw-connection.ts';
import { pollerHandler } from '../http/poller.ts';
import { readDecimals, scanPollAnswer, type MessageVisitor } from '../http/poll-scan.ts';
import { controlConnections, openSession, Requests, waitForHeld, type PostAnswer } from '../http/requests.ts';
import { BusyMeter, ServerCpu } from '../proc.ts';
import { Samples } from '../samples.ts';
import type { TargetServer, ThroughputJob, ThroughputResult } from '../types.ts';

/**
 * Throughput: pollers hold polls on one room while publishers post to it as
 * fast as the server answers, each publisher waiting for one answer before
 * its next post. Every poller must get every accepted post.
 *
 * Ids in a fresh room run 1, 2, 3, … so each poller keeps the next id it
 * wants: a bigger id is a gap (missed), a smaller one a duplicate, and an
 * answer with several messages is accounted for as one id range. The text
 * carries the publisher, its sequence number and the send time, which give
 * the order check per publisher and the delay.
 */
export async function runThroughput(target: TargetServer, job: ThroughputJob): Promise<ThroughputResult> {
  const requests = new Requests(target, 'throughput', 1000);
  const pollers = await openMany(job.pollers, target.port, target.host);
  const publishers = await openMany(job.publishers, target.port, target.host);
  const control = await controlConnections(target);
  // Publishers post as signed-in users; pollers carry no token, so polling adds no join messages.
  const tokens = await Promise.all(publishers.map((publisher, p) => openSession(publisher, requests, `pub${p}`)));

  const wanted = new Float64Array(job.pollers).fill(1); // next id each poller expects
  const lastSeq = new Float64Array(job.pollers * job.publishers).fill(-1);
  const finished = new Uint8Array(job.pollers);
  const delays = new Samples();
  let deliveries = 0;
  let answers = 0;
  let missed = 0;
  let duplicates = 0;
  let outOfOrder = 0;
  let failures = 0;
  let lastDeliveryAt = 0;
  let finalId: number | undefined; // the last accepted id, once posting is over
  let finishedCount = 0;
  let drained = (): void => {};

  const finish = (i: number): void => {
    if (finished[i] === 1 || finalId === undefined || (wanted[i] as number) <= finalId) return;
    finished[i] = 1;
    if (++finishedCount === job.pollers) drained();
  };

  // The answer being scanned: one visitor for all, since a scan runs to its end synchronously.
  const text = new Float64Array(3);
  let current: { poller: number; at: number; body: Buffer; messages: number } = { poller: 0, at: 0, body: Buffer.alloc(0), messages: 0 };
  const visit: MessageVisitor = (id, textStart, textEnd) => {
    const { poller, at, body } = current;
    current.messages++;
    const want = wanted[poller] as number;
    if (id < want) {
      duplicates++;
      return;
    }
    missed += id - want;
    wanted[poller] = id + 1;
    deliveries++;
    readDecimals(body, textStart, textEnd, text); // publisher, seq, sentAt
    delays.add(at - (text[2] as number));
    const slot = poller * job.publishers + (text[0] as number);
    if ((text[1] as number) <= (lastSeq[slot] as number)) outOfOrder++;
    lastSeq[slot] = text[1] as number;
  };

  const poll = (i: number, since: number): void => (pollers[i] as RawConnection).send(requests.poll(since), handlers[i] as ResponseHandler);
  const handlers = pollers.map((poller, i) =>
    pollerHandler(poller, {
      failed: () => failures++,
      retry: () => poll(i, (wanted[i] as number) - 1),
      answered: (body, at) => {
        current = { poller: i, at, body, messages: 0 };
        const next = scanPollAnswer(body, visit);
        if (current.messages > 0) {
          answers++;
          lastDeliveryAt = at;
        }
        finish(i);
        if (finished[i] === 0) poll(i, next);
      },
    }),
  );

  pollers.forEach((_, i) => poll(i, 0));
  await waitForHeld(control, requests, job.pollers, 30_000);

  const refused: Record<string, number> = {};
  let accepted = 0;
  let maxId = 0;
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
          const post = (): void => publisher.send(requests.post(`pub${p}`, `${p} ${seq++} ${performance.now().toFixed(3)}`, tokens[p]), answered);
          const answered = (response: RawResponse, at: number): void => {
            if (response.status === 201) {
              accepted++;
              lastAcceptedAt = at;
              maxId = Math.max(maxId, (JSON.parse(response.body.toString()) as PostAnswer).message.id);
            } else {
              refused[response.status] = (refused[response.status] ?? 0) + 1;
            }
            if (at < endAt) post();
            else resolve();
          };
          post();
        }),
    ),
  );

  finalId = maxId;
  const allDrained = new Promise<void>((resolve) => {
    drained = resolve;
    pollers.forEach((_, i) => finish(i));
    if (finishedCount === job.pollers) resolve();
  });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([allDrained, new Promise<void>((resolve) => (timer = setTimeout(resolve, job.drainTimeoutMs)))]);
  clearTimeout(timer);
  const cpu = serverCpu.spent();
  loadgen.stop();

  // Pollers that never reached the last id missed the rest.
  for (let i = 0; i < job.pollers; i++) missed += Math.max(0, maxId + 1 - (wanted[i] as number));
  if (accepted !== maxId) failures += Math.abs(accepted - maxId); // a fresh room's ids count its posts
  for (const connection of [...pollers, ...publishers, ...control]) connection.close();

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
