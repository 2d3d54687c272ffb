import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/runtime/component.ts';
import { checkGraph, type GraphDefinition } from '../../src/runtime/graph.ts';
import { Network } from '../../src/runtime/network.ts';
import { Registry } from '../../src/runtime/registry.ts';
import { testComponents, type TestApp } from '../helpers/test-components.ts';

const registry = new Registry().add(...testComponents);
const quiet: Logger = { info() {}, warn() {}, error() {} };

type Edge = [string, string];

/**
 * graph builds a graph from processes (name → component), a chain of edges
 * `["A.out", "B.in"]`, and initial packets `{"P.port": value}`; inport "in" enters at `entry`.
 */
function graph(processes: Record<string, string>, edges: Edge[], initials: Record<string, unknown> = {}, entry = 'In.in', capacity = 64): GraphDefinition {
  const address = (at: string) => ({ process: at.slice(0, at.indexOf('.')), port: at.slice(at.indexOf('.') + 1) });
  return checkGraph(
    {
      processes: Object.fromEntries(Object.entries(processes).map(([name, component]) => [name, { component }])),
      connections: [
        ...edges.map(([src, tgt]) => ({ src: address(src), tgt: address(tgt), metadata: { capacity } })),
        ...Object.entries(initials).map(([tgt, data]) => ({ data, tgt: address(tgt) })),
      ],
      inports: { in: address(entry) },
    },
    'test',
    { registry },
  );
}

async function running(first: GraphDefinition) {
  const app: TestApp = { collected: [] };
  const network = new Network({ graph: first, app, logger: quiet });
  await network.start();
  return { network, app, send: network.inport('in') };
}

/** settled waits until the network's timers and retired processes have had their turn. */
const settled = (ms = 100) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Network.reload', () => {
  it('keeps the process, and so the state, of a process that keeps its name and component, and delivers a changed setting to it', async () => {
    const { network, app, send } = await running(graph({ In: 'PassThrough', T: 'Tagger', Sink: 'Collector' }, [['In.out', 'T.in'], ['T.out', 'Sink.in']]));
    await send('x');
    const changes = await network.reload(graph({ In: 'PassThrough', T: 'Tagger', Sink: 'Collector' }, [['In.out', 'T.in'], ['T.out', 'Sink.in']], { 'T.tag': 'b' }));
    await send('y');
    await network.stop();
    expect(app.collected).toEqual(['a:1:x', 'b:2:y']);
    expect(changes).toEqual({ added: [], removed: [], connected: [], disconnected: [], settings: [{ port: 'T.tag', from: 'a', to: 'b' }] });
  });

  it('starts an added process fresh, its initial packets before any packet, and wires it in', async () => {
    const { network, app, send } = await running(graph({ In: 'PassThrough', T: 'Tagger', Sink: 'Collector' }, [['In.out', 'T.in'], ['T.out', 'Sink.in']]));
    await send('x');
    const changes = await network.reload(
      graph({ In: 'PassThrough', T: 'Tagger', U: 'Tagger', Sink: 'Collector' }, [['In.out', 'T.in'], ['T.out', 'U.in'], ['U.out', 'Sink.in']], { 'U.tag': 'u' }),
    );
    await send('y');
    await network.stop();
    expect(app.collected).toEqual(['a:1:x', 'u:1:a:2:y']);
    expect(changes.added).toEqual(['U']);
    expect(changes.connected).toEqual(['T.out>U.in', 'U.out>Sink.in']);
    expect(changes.disconnected).toEqual(['T.out>Sink.in']);
  });

  it('lets a removed process handle what waits for it and answer what it holds, once, before it goes', async () => {
    const { network, app, send } = await running(graph({ In: 'PassThrough', H: 'Holder', Sink: 'Collector' }, [['In.out', 'H.in'], ['H.out', 'Sink.in']]));
    await send('held-1');
    await send('held-2');
    const changes = await network.reload(graph({ In: 'PassThrough', Sink: 'Collector' }, [['In.out', 'Sink.in']]));
    await send('after');
    await settled();
    expect(app.collected).toEqual(['after', 'held-1', 'held-2']);
    expect(changes.removed).toEqual(['H']);
    await network.stop();
    expect(app.collected).toEqual(['after', 'held-1', 'held-2']);
  });

  it('treats a process whose component changed as removed and added: the new one starts fresh', async () => {
    const { network, app, send } = await running(graph({ In: 'PassThrough', T: 'Tagger', Sink: 'Collector' }, [['In.out', 'T.in'], ['T.out', 'Sink.in']]));
    await send('x');
    const changes = await network.reload(graph({ In: 'PassThrough', T: 'PassThrough', Sink: 'Collector' }, [['In.out', 'T.in'], ['T.out', 'Sink.in']]));
    await send('y');
    await network.stop();
    expect(app.collected).toEqual(['a:1:x', 'y']);
    expect(changes).toMatchObject({ added: ['T'], removed: ['T'] });
  });

  it('loses and duplicates nothing when rewired under load, packets waiting in full connections included', async () => {
    const slow = graph({ In: 'PassThrough', D: 'Delay', Sink: 'Collector' }, [['In.out', 'D.in'], ['D.out', 'Sink.in']], { 'D.ms': 1 }, 'In.in', 4);
    const { network, app, send } = await running(slow);
    const sends: (Promise<void> | undefined)[] = [];
    for (let i = 0; i < 300; i++) {
      sends.push(send(i));
      if (i === 100) {
        // D is busy with a full connection behind it: it is replaced, then the graph goes back to a Delay under another name.
        void network.reload(graph({ In: 'PassThrough', T: 'Tagger', Sink: 'Collector' }, [['In.out', 'T.in'], ['T.out', 'Sink.in']], { 'T.tag': 't' }, 'In.in', 4));
      }
      if (i === 200) void network.reload(graph({ In: 'PassThrough', E: 'Delay', Sink: 'Collector' }, [['In.out', 'E.in'], ['E.out', 'Sink.in']], { 'E.ms': 0 }, 'In.in', 4));
      if (i % 10 === 0) await Promise.all(sends);
    }
    await Promise.all(sends);
    await settled();
    await network.stop();
    const numbers = app.collected.map((p) => Number(String(p).split(':').at(-1)));
    expect(numbers.sort((a, b) => a - b)).toEqual([...Array(300).keys()]);
    // Each went one way: through D, T or E, never two.
    expect(app.collected.filter((p) => String(p).startsWith('t:')).length).toBeGreaterThan(0);
  });

  it('describes the new graph at once, keeping the counters of connections that stayed', async () => {
    const first = graph({ In: 'PassThrough', Sink: 'Collector' }, [['In.out', 'Sink.in']]);
    const { network, send } = await running(first);
    await send(1);
    await send(2);
    await network.reload(graph({ In: 'PassThrough', T: 'Tagger', Sink: 'Collector' }, [['T.out', 'In.in'], ['In.out', 'Sink.in']], {}, 'T.in'));
    const described = network.describe();
    expect(described.processes.map((p) => p.name)).toEqual(['In', 'T', 'Sink']);
    expect(described.connections.find((c) => c.from === 'In.out')?.sent).toBe(2);
    expect(described.connections.find((c) => c.from === 'T.out')?.sent).toBe(0);
    expect(described.connections.find((c) => c.from === '(in)')).toMatchObject({ to: 'T.in', sent: 0 });
    await network.stop();
  });

  it('refuses a reload before the start', async () => {
    const network = new Network({ graph: graph({ In: 'PassThrough', Sink: 'Collector' }, [['In.out', 'Sink.in']]), app: { collected: [] }, logger: quiet });
    await expect(network.reload(graph({ In: 'PassThrough', Sink: 'Collector' }, [['In.out', 'Sink.in']]))).rejects.toThrow('is not running');
  });
});
