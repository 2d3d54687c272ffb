import { defineComponent, type Outputs } from '../../src/runtime/component.ts';
import { integerSetting, port, type PortSpec } from '../../src/runtime/port.ts';

/** Components that exist only for tests, kept in one place. */

/** TestApp is the context the test components share: where sinks put what they got. */
export interface TestApp {
  readonly collected: unknown[];
}

export const PassThrough = defineComponent({
  name: 'PassThrough',
  description: 'Sends every packet on unchanged',
  inPorts: { in: port<unknown>('all', 'Anything', { required: true }) },
  outPorts: { out: port<unknown>('all', 'The same packets') },
  create: ({ out }) => ({ in: (packet) => out.send('out', packet) }),
});

export const Collector = defineComponent({
  name: 'Collector',
  description: 'Keeps every packet in app.collected',
  inPorts: { in: port<unknown>('all', 'Anything', { required: true }) },
  outPorts: {},
  create: ({ app }: { app: TestApp }) => ({
    in(packet) {
      app.collected.push(packet);
    },
  }),
});

/** Thrower fails on packets that say so, synchronously or asynchronously. */
export const Thrower = defineComponent({
  name: 'Thrower',
  description: 'Throws on {fail: "sync"} and rejects on {fail: "async"}; passes the rest on',
  inPorts: { in: port<{ fail?: 'sync' | 'async' }>('all', 'Packets that may ask to fail', { required: true }) },
  outPorts: { out: port<unknown>('all', 'Packets that did not fail') },
  create: ({ out }) => ({
    in(packet) {
      if (packet.fail === 'sync') throw new Error('asked to fail');
      if (packet.fail === 'async') return Promise.reject(new Error('asked to fail later'));
      return out.send('out', packet);
    },
  }),
});

/** Delay holds each packet for `ms` (an initial packet, default 1) before sending it on. */
export const Delay = defineComponent({
  name: 'Delay',
  description: 'Sends each packet on after a delay',
  inPorts: {
    in: port<unknown>('all', 'Anything', { required: true }),
    ms: integerSetting('Delay in milliseconds', 0, 10_000, 1),
  },
  outPorts: { out: port<unknown>('all', 'The same packets, later') },
  create: ({ out }) => {
    let ms = 1;
    return {
      async in(packet) {
        await new Promise((resolve) => setTimeout(resolve, ms));
        await out.send('out', packet);
      },
      ms(value) {
        ms = value;
      },
    };
  },
});

/** Holder keeps packets until the network stops, then sends them all on. */
export const Holder = defineComponent({
  name: 'Holder',
  description: 'Holds packets until stop, then releases them',
  inPorts: { in: port<unknown>('all', 'Anything', { required: true }) },
  outPorts: { out: port<unknown>('all', 'Everything held, at stop') },
  create: ({ out }) => {
    const held: unknown[] = [];
    return {
      in(packet) {
        held.push(packet);
      },
      async onStop() {
        for (const packet of held) await out.send('out', packet);
      },
    };
  },
});

/** Tagger numbers the packets it has seen (its state) and tags each with its setting: `tag:n:packet`. */
export const Tagger = defineComponent({
  name: 'Tagger',
  description: 'Sends each packet on as "tag:n:packet", n counting the packets this process has seen',
  inPorts: {
    in: port<unknown>('all', 'Anything', { required: true }),
    tag: port<string>('string', 'What to tag packets with', { default: 'a' }),
  },
  outPorts: { out: port<string>('all', 'The tagged packets') },
  create: ({ out }) => {
    let tag = 'a';
    let seen = 0;
    return {
      in(packet) {
        return out.send('out', `${tag}:${++seen}:${String(packet)}`);
      },
      tag(value) {
        tag = value;
      },
    };
  },
});

/** Recorder writes down, in app.collected, which port each packet came in on, in the order it handled them. */
export const Recorder = defineComponent({
  name: 'Recorder',
  description: 'Records "setting:X" and "in:X" in app.collected as packets arrive on setting and in',
  inPorts: { setting: port<string>('string', 'A setting, as initial packets carry'), in: port<string>('string', 'Anything else', { required: true }) },
  outPorts: {},
  create: ({ app }: { app: TestApp }) => ({
    setting(packet) {
      app.collected.push(`setting:${packet}`);
    },
    in(packet) {
      app.collected.push(`in:${packet}`);
    },
  }),
});

/** Slow hands `{wait}` packets to background work that settles when the packet's promise does, then collects them; others go straight through. */
export const Slow = defineComponent({
  name: 'Slow',
  description: 'Collects each packet; one carrying a promise is collected only once that promise settles, in the background',
  inPorts: { in: port<{ name: string; wait?: Promise<void> }>('all', 'Packets, some with a promise to wait for', { required: true }) },
  outPorts: {},
  create: ({ app, background }: { app: TestApp; background: (work: Promise<unknown>, packet: unknown) => void }) => ({
    in(packet) {
      if (packet.wait === undefined) return void app.collected.push(packet.name);
      background(packet.wait.then(() => void app.collected.push(packet.name)), packet);
    },
  }),
});

/** Exploder throws on requests whose query asks it to, and passes the rest on. */
export const Exploder = defineComponent({
  name: 'Exploder',
  description: 'Throws on requests with ?explode, to show a failing process answers 500 and the rest flows',
  inPorts: { in: port<{ query: Readonly<Record<string, unknown>> }>('request', 'Requests', { required: true }) },
  outPorts: { out: port<unknown>('request', 'Requests that did not explode') },
  create: ({ out }) => ({
    in(request) {
      if ('explode' in request.query) throw new Error('exploded on purpose');
      return out.send('out', request);
    },
  }),
});

/** Countdown sends {n} round a loop until n is 0, then out of it: a graph with a cycle. */
export const Countdown = defineComponent({
  name: 'Countdown',
  description: 'Sends {n: n - 1} to again while n > 0, then {n: 0} to done',
  inPorts: { in: port<{ n: number }>('all', 'Counters', { required: true }) },
  outPorts: { again: port<{ n: number }>('all', 'Counters still running'), done: port<{ n: number }>('all', 'Finished counters') },
  create: ({ out }) => ({
    in: ({ n }) => (n > 0 ? out.send('again', { n: n - 1 }) : out.send('done', { n })),
  }),
});

/** Loopback sends each packet from `a` round to its own `b`, logging when each handler starts and ends. */
export const Loopback = defineComponent({
  name: 'Loopback',
  description: 'Logs handler starts and ends in app.collected; a sends on to out, which the test wires to b',
  inPorts: { a: port<string>('all', 'First visit'), b: port<string>('all', 'Second visit') },
  outPorts: { out: port<string>('all', 'Packets from a') },
  create: ({ out, app }: { out: Outputs<{ out: PortSpec<string> }>; app: TestApp }) => ({
    a(packet) {
      app.collected.push(`a:${packet}:start`);
      void out.send('out', packet);
      app.collected.push(`a:${packet}:end`);
    },
    b(packet) {
      app.collected.push(`b:${packet}`);
    },
  }),
});

export const testComponents = [PassThrough, Collector, Thrower, Delay, Holder, Countdown, Loopback, Recorder, Slow, Tagger];

/** chatTestComponents fit between chat components: they carry requests. */
/** gate holds every packet that reaches a Gate process until a test opens it. */
export const gate = {
  closed: false,
  waiting: [] as (() => void)[],
  close(): void {
    this.closed = true;
  },
  open(): void {
    this.closed = false;
    for (const resume of this.waiting.splice(0)) resume();
  },
};

/** Gate passes packets on, one at a time, except while the gate is closed: then it holds the one it has, and stalls. */
export const Gate = defineComponent({
  name: 'Gate',
  description: 'Sends each packet on, but only while the gate is open: a stalled process',
  inPorts: { in: port<unknown>('all', 'Anything', { required: true }) },
  outPorts: { out: port<unknown>('all', 'The same packets, once the gate is open') },
  create: ({ out }) => ({
    async in(packet) {
      if (gate.closed) await new Promise<void>((resume) => gate.waiting.push(resume));
      await out.send('out', packet);
    },
  }),
});

export const chatTestComponents = [PassThrough, Exploder, Gate];
