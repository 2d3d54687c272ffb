import { describe, expect, it } from 'vitest';
import { postCommand } from '../../components/send-controller.ts';
import { loadComponents } from '../../src/app/components.ts';
import { statusOf, type ErrorCode } from '../../src/protocol/errors.ts';
import type { Reply } from '../../src/protocol/packets.ts';
import type { Process } from '../../src/runtime/component.ts';
import type { PortMap } from '../../src/runtime/port.ts';
import { readSettings } from '../../src/app/settings.ts';
import { harness, type Harness } from '../helpers/component-harness.ts';
import { fakeRequest } from '../helpers/fake-request.ts';
import { defaultGraph, isEdge } from '../helpers/graph-file.ts';
import { memoryStores } from '../../src/app/stores.ts';
import type { AppContext } from '../../src/app/app-context.ts';
import { NO_METERS } from '../../src/metrics/meters.ts';

/** The contract every component in components/ keeps, checked over all of them. */
const registry = await loadComponents();
const components = registry.names.map((name) => registry.get(name)!);

const post = (body: unknown) => postCommand(fakeRequest({ method: 'POST', body }), { maxText: 4000, sessionRequired: false });

/** Refusal is one way to make a component refuse a request: what to send, and the port and code the refusal must come out with. */
interface Refusal {
  readonly env?: Record<string, string>;
  readonly provoke: (component: Harness) => Promise<void>;
  readonly port: string;
  readonly code: ErrorCode;
}

/**
 * How each component refuses a request, or that it never does. A new
 * component must be added here, so its errors are shown to reach the
 * Responder like everyone else's.
 */
const refusals: Record<string, Refusal | 'never refuses'> = {
  Router: { provoke: (c) => c.send('in', fakeRequest({ path: '/gochat/chat/nope' })), port: 'error', code: 'NOT_FOUND' },
  Controller: { provoke: (c) => c.send('in', fakeRequest({ query: { since: '-1' } })), port: 'error', code: 'BAD_SINCE' },
  SendController: { provoke: (c) => c.send('in', fakeRequest({ method: 'POST', body: { author: 'a' } })), port: 'error', code: 'NO_SESSION' },
  RateLimit: {
    env: { RATE_LIMIT: '1' },
    provoke: async (c) => {
      await c.send('in', post({ author: 'a', text: 'one' }));
      await c.send('in', post({ author: 'a', text: 'two' }));
    },
    port: 'error',
    code: 'RATE_LIMITED',
  },
  Session: { provoke: (c) => c.send('manage', fakeRequest({ path: '/gochat/chat/session' })), port: 'reply', code: 'NO_SESSION' },
  Rooms: {
    provoke: (c) => c.send('manage', { request: fakeRequest({ method: 'POST', path: '/gochat/chat/rooms', body: { private: true } }), people: [] }),
    port: 'reply',
    code: 'NO_SESSION',
  },
  Storage: {
    provoke: async (c) => {
      await c.send('maxRooms', 1);
      await c.send('post', post({ author: 'a', text: 'x', room: 'one' }));
      await c.send('post', post({ author: 'a', text: 'x', room: 'two' }));
    },
    port: 'out',
    code: 'ROOM_LIMIT',
  },
  OidcSignIn: { provoke: (c) => c.send('in', fakeRequest({ path: '/gochat/chat/auth/oidc' })), port: 'reply', code: 'NOT_FOUND' },
  Presence: 'never refuses',
  Inspector: 'never refuses',
  Metrics: 'never refuses',
  Responder: 'never refuses',
};

describe('the table of refusals', () => {
  it('names every component in components/', () => {
    expect(Object.keys(refusals).sort()).toEqual([...registry.names].sort());
  });
});

describe.each(components.map((c) => [c.name, c] as const))('component %s', (name, component) => {
  it('describes itself and each of its ports', () => {
    expect(component.description.length).toBeGreaterThan(10);
    for (const spec of [...Object.values(component.inPorts), ...Object.values(component.outPorts)]) {
      expect(spec.description.length).toBeGreaterThan(3);
      expect(spec.datatype).toMatch(/^[a-z-]+$/);
    }
  });

  it('has a handler for every in-port it declares, and no other', () => {
    const process = component.create({
      name: component.name,
      app: {
        settings: readSettings({}),
        now: Date.now,
        stores: memoryStores(readSettings({}), Date.now),
        meters: NO_METERS,
        describeNetwork: () => ({ name: 'x', processes: [], connections: [], file: 'graph.json', loadedAt: '2026-01-01T00:00:00.000Z' }),
        scrape: async () => ({ contentType: 'text/plain', text: '' }),
        traces: { recent: () => [] },
      } satisfies AppContext,
      out: { send: () => undefined, isConnected: () => true },
      background: () => undefined,
    }) as Process<PortMap>;
    const handlers = Object.keys(process).filter((key) => key !== 'onStop' && key !== 'onRewire');
    expect(handlers.sort()).toEqual(Object.keys(component.inPorts).sort());
    void process.onStop?.();
  });

  const refusal = refusals[name];
  if (typeof refusal === 'object') {
    it(`sends a refusal (${refusal.code}) as an error reply on its reply port ${refusal.port}`, async () => {
      const { env, provoke, port, code } = refusal;
      const under = harness(component, env === undefined ? {} : { env });
      await provoke(under);
      expect(component.outPorts[port]?.datatype).toBe('reply');
      expect((under.sent[port] as Reply[]).at(-1)).toMatchObject({ status: statusOf(code), body: { error: { code } } });
      await under.stop();
    });
  }

  it('has every reply port connected to the Responder in graph.json', () => {
    const graph = defaultGraph();
    const processes = Object.entries(graph.processes).filter(([, p]) => p.component === name).map(([process]) => process);
    const replyPorts = Object.entries(component.outPorts).filter(([, spec]) => spec.datatype === 'reply').map(([port]) => port);
    for (const process of processes) {
      for (const port of replyPorts) {
        const targets = graph.connections.filter(isEdge).filter((c) => c.src.process === process && c.src.port === port).map((c) => graph.processes[c.tgt.process]?.component);
        expect(targets, `${process}.${port}`).toEqual(['Responder']);
      }
    }
  });
});
