import { describe, expect, it } from 'vitest';
import { defineComponent } from '../../src/runtime/component.ts';
import { port } from '../../src/runtime/port.ts';

const inPorts = { in: port<number>('integer', 'Numbers') };
const outPorts = { out: port<string>('string', 'Strings') };

describe('defineComponent', () => {
  it('gives a process that handles its in-ports and sends on its out-ports', () => {
    const sent: unknown[] = [];
    const Double = defineComponent({
      name: 'Double',
      description: 'Doubles numbers into strings',
      inPorts,
      outPorts,
      create: ({ out }) => ({ in: (n) => out.send('out', String(n * 2)) }),
    });
    const process = Double.create({ name: 'd', app: undefined, out: { send: (_p, x) => void sent.push(x), isConnected: () => true } });
    void process.in(21);
    expect(sent).toEqual(['42']);
  });

  it('refuses an in-port named onStop, which is reserved for the stop hook', () => {
    expect(() =>
      defineComponent({ name: 'Bad', description: 'x', inPorts: { onStop: port('all', 'x') }, outPorts: {}, create: () => ({ onStop: () => {} }) }),
    ).toThrow("Component Bad: an in-port cannot be named 'onStop'");
  });

  // These fail to compile if the types stop catching the mistakes: `npm run typecheck` is the test.
  it('catches misspelt ports and wrong packet types at compile time', () => {
    defineComponent({
      name: 'Typos',
      description: 'Every mistake below is a compile error',
      inPorts,
      outPorts,
      create: ({ out }) => ({
        in(n) {
          // @ts-expect-error: 'ot' is not a declared out-port
          void out.send('ot', 'x');
          // @ts-expect-error: out carries strings, not numbers
          void out.send('out', n);
        },
        // @ts-expect-error: 'inn' is not a declared in-port
        inn() {},
      }),
    });
    // @ts-expect-error: a handler for the declared in-port is missing
    defineComponent({ name: 'Missing', description: 'x', inPorts, outPorts, create: () => ({}) });
    expect(true).toBe(true);
  });
});
