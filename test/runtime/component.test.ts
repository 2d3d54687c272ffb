import { fileURLToPath } from 'node:url';
import ts from 'typescript';
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
    const process = Double.create({ name: 'd', app: undefined, out: { send: (_p, x) => void sent.push(x), isConnected: () => true }, background: () => undefined });
    void process.in(21);
    expect(sent).toEqual(['42']);
  });

  it('refuses an in-port named onStop, which is reserved for the stop hook', () => {
    expect(() =>
      defineComponent({ name: 'Bad', description: 'x', inPorts: { onStop: port('all', 'x') }, outPorts: {}, create: () => ({ onStop: () => {} }) }),
    ).toThrow("Component Bad: an in-port cannot be named 'onStop'");
  });

  it('refuses a leadsTo naming a port the component does not have, as a component compiled without types could', () => {
    const declare = (leadsTo: Record<string, string[]>) => () =>
      defineComponent({ name: 'Lost', description: 'x', inPorts: { in: port('all', 'x') }, outPorts: { out: port('all', 'x') }, leadsTo, create: () => ({ in: () => {} }) } as never);
    expect(declare({ inn: ['out'] })).toThrow("Component Lost: leadsTo names 'inn', which is not one of its in-ports");
    expect(declare({ in: ['ot'] })).toThrow("Component Lost: leadsTo sends 'in' to 'ot', which is not one of its out-ports");
    expect(declare({ in: ['out'] })).not.toThrow();
  });

  it('catches misspelt ports, wrong packet types missing handlers and leadsTo typos at compile time', () => {
    const mistakes = fileURLToPath(new URL('../fixtures/type-errors/component-mistakes.ts', import.meta.url));
    const { options } = ts.parseJsonConfigFileContent(ts.readConfigFile('tsconfig.json', ts.sys.readFile).config, ts.sys, '.');
    const program = ts.createProgram([mistakes], options);
    const source = program.getSourceFile(mistakes)!;
    const lineOf = (position: number): number => source.getLineAndCharacterOfPosition(position).line + 1;
    const failing = new Set(ts.getPreEmitDiagnostics(program, source).map((d) => lineOf(d.start ?? 0)));
    const marked = source.text.split('\n').flatMap((line, i) => (/\/\/ error: /.test(line) ? [i + 1] : []));
    expect(marked).toHaveLength(5);
    expect([...failing].sort((a, b) => a - b)).toEqual(marked);
  });
});
