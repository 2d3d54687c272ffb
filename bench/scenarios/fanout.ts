import { performance } from 'node:perf_hooks';
import { openMany, RawConnection, type ResponseHandler } from '../http/raw-connection.ts';
import { pollerHandler } from '../http/poller.ts';
import { scanPollAnswer, type MessageVisitor } from '../http/poll-scan.ts';
import { controlConnections, openSession, Requests, waitForHeld } from '../http/requests.ts';
import { BusyMeter, ServerCpu } from '../proc.ts';
import { Samples } from '../samples.ts';
import { monotonicUs } from './clock.ts';
import type { FanoutJob, FanoutResult, TargetServer } from '../types.ts';

/**
 * Fan-out: N clients hold polls on one room; one message is posted; each
 * client records the delay from just before the POST to having read the
 * whole answer, and polls again at once. The POST is written from this
 * process, so both ends of each delay are read from the same clock.
 *
 * The room is fresh, so round k's message has id k: a client knows its
 * answer is the round's message without waiting for the POST's own answer.
 */
// Pollers carry no session token: with one, polling would make them present in the room and add join messages.
const POSTER = 'bench';

export async function runFanout(target: TargetServer, job: FanoutJob): Promise<FanoutResult> {
  const requests = new Requests(target, 'fanout', 100);
  const clients = await openMany(job.clients, target.port, target.host);
  const control = await controlConnections(target);
  const poster = await RawConnection.open(target.port, target.host);
  const token = await openSession(poster, requests, POSTER);
  const since = new Float64Array(job.clients);
  const delays = new Samples();
  const roundMs: number[] = [];
  const loadgen = new BusyMeter();
  let failures = 0;
  let delivered = 0;

  // The round in progress; replaced as a whole when the next one starts.
  let round = { messageId: 0, postedAt: 0, delivered: 0, measured: false, lastAt: 0, finish: (): void => {} };

  const poll = (i: number): void => (clients[i] as RawConnection).send(requests.poll(since[i] as number), handlers[i] as ResponseHandler);
  let found = false;
  const visit: MessageVisitor = (id) => {
    if (id === round.messageId) found = true;
  };
  const handlers = clients.map((client, i) =>
    pollerHandler(client, {
      failed: () => failures++,
      retry: () => poll(i),
      answered: (body, at) => {
        found = false;
        since[i] = scanPollAnswer(body, visit);
        if (found) {
          if (round.measured) delays.add(at - round.postedAt);
          round.lastAt = at;
          if (++round.delivered === job.clients) round.finish();
        } else {
          failures++;
        }
        poll(i);
      },
    }),
  );

  const heldTimeoutMs = Math.max(30_000, job.clients * 5);
  const playRound = async (messageId: number, measured: boolean): Promise<boolean> => {
    await waitForHeld(control, requests, job.clients, heldTimeoutMs);
    let timer: NodeJS.Timeout | undefined;
    const done = new Promise<boolean>((resolve) => {
      round = { messageId, postedAt: 0, delivered: 0, measured, lastAt: 0, finish: () => resolve(true) };
      timer = setTimeout(() => resolve(false), job.roundTimeoutMs);
    });
    if (measured) loadgen.start();
    const postAnswered = new Promise<number>((resolve) => {
      round.postedAt = performance.now();
      poster.send(requests.post(POSTER, `round ${messageId}`, token), (response) => resolve(response.status));
    });
    const complete = await done;
    if (measured) loadgen.stop();
    clearTimeout(timer);
    const status = await postAnswered;
    if (status !== 201) throw new Error(`${target.name}: the round's POST answered ${status}, not 201`);
    if (measured) {
      delivered += round.delivered;
      roundMs.push(round.lastAt - round.postedAt);
    }
    return complete;
  };

  clients.forEach((_, i) => poll(i));
  let messageId = 0;
  for (let r = 0; r < job.warmupRounds; r++) {
    if (!(await playRound(++messageId, false))) throw new Error(`${target.name}: a warm-up round did not reach all ${job.clients} clients in ${job.roundTimeoutMs} ms`);
  }

  await waitForHeld(control, requests, job.clients, heldTimeoutMs);
  const startUs = monotonicUs();
  const serverCpu = new ServerCpu(target);
  let measuredRounds = 0;
  for (let r = 0; r < job.rounds; r++) {
    measuredRounds++;
    // An incomplete round leaves clients without a held poll; the next round could never start.
    if (!(await playRound(++messageId, true))) break;
  }
  if (measuredRounds === job.rounds && delivered === job.clients * job.rounds) {
    // The re-polls after the last delivery belong to the cycle being measured.
    await waitForHeld(control, requests, job.clients, heldTimeoutMs);
  }
  const cpu = serverCpu.spent();
  const endUs = monotonicUs();

  for (const client of [...clients, ...control, poster]) client.close();
  return {
    kind: 'fanout',
    clients: job.clients,
    rounds: job.rounds,
    delivered,
    expected: job.clients * job.rounds,
    failures,
    delay: delays.figures(),
    roundMs,
    cpu: { ...cpu, usPerDelivery: (cpu.userSysMs * 1000) / delivered },
    loadgen: loadgen.figures(),
    window: { startUs, endUs },
  };
}
