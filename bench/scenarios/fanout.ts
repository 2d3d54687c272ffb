import { performance } from 'node:perf_hooks';
import { waitForHeld } from '../clients/chat-client.ts';
import { openChatClient } from '../clients/open-client.ts';
import { readDecimals, scanTexts, type TextVisitor } from '../http/poll-scan.ts';
import { BusyMeter, ServerCpu } from '../proc.ts';
import { Samples } from '../samples.ts';
import { monotonicUs } from './clock.ts';
import type { FanoutJob, FanoutResult, TargetServer } from '../types.ts';

/**
 * Fan-out: N clients hold polls on one room; one message is posted; each
 * client records the delay from just before the post to having read the
 * whole answer, and polls again at once. The post is written from this
 * process, so both ends of each delay are read from the same clock.
 *
 * Round k's message text is `k`, so a client knows its answer is the
 * round's message without waiting for the post's own answer.
 */
export async function runFanout(target: TargetServer, job: FanoutJob): Promise<FanoutResult> {
  const client = await openChatClient(target, 'fanout', 100);
  const delays = new Samples();
  const roundMs: number[] = [];
  const loadgen = new BusyMeter();
  let failures = 0;
  let delivered = 0;

  // The round in progress; replaced as a whole when the next one starts.
  let round = { messageId: 0, postedAt: 0, delivered: 0, measured: false, lastAt: 0, finish: (): void => {} };

  let found = false;
  let answer: Buffer = Buffer.alloc(0);
  const text = new Float64Array(1);
  const visit: TextVisitor = (start, end) => {
    readDecimals(answer, start, end, text);
    if (text[0] === round.messageId) found = true;
  };
  const subscribers = await client.subscribers(job.clients, {
    failed: () => failures++,
    answered: (_, body, at) => {
      found = false;
      answer = body;
      scanTexts(body, visit);
      if (found) {
        if (round.measured) delays.add(at - round.postedAt);
        round.lastAt = at;
        if (++round.delivered === job.clients) round.finish();
      } else {
        failures++;
      }
    },
  });
  const poster = await client.publisher('bench');

  const heldTimeoutMs = Math.max(30_000, job.clients * 5);
  const playRound = async (messageId: number, measured: boolean): Promise<boolean> => {
    await waitForHeld(client, job.clients, heldTimeoutMs);
    let timer: NodeJS.Timeout | undefined;
    const done = new Promise<boolean>((resolve) => {
      round = { messageId, postedAt: 0, delivered: 0, measured, lastAt: 0, finish: () => resolve(true) };
      timer = setTimeout(() => resolve(false), job.roundTimeoutMs);
    });
    if (measured) loadgen.start();
    const postAnswered = new Promise<string | undefined>((resolve) => {
      round.postedAt = performance.now();
      poster.post(String(messageId), (accepted, status) => resolve(accepted ? undefined : status));
    });
    const complete = await done;
    if (measured) loadgen.stop();
    clearTimeout(timer);
    const refused = await postAnswered;
    if (refused !== undefined) throw new Error(`${target.name}: the round's post was refused with ${refused}`);
    if (measured) {
      delivered += round.delivered;
      roundMs.push(round.lastAt - round.postedAt);
    }
    return complete;
  };

  subscribers.start();
  let messageId = 0;
  for (let r = 0; r < job.warmupRounds; r++) {
    if (!(await playRound(++messageId, false))) throw new Error(`${target.name}: a warm-up round did not reach all ${job.clients} clients in ${job.roundTimeoutMs} ms`);
  }

  await waitForHeld(client, job.clients, heldTimeoutMs);
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
    await waitForHeld(client, job.clients, heldTimeoutMs);
  }
  const cpu = serverCpu.spent();
  const endUs = monotonicUs();

  client.close();
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
