import { describe, expect, it } from 'vitest';
import { COMPONENTS_DIR } from '../../src/app.ts';
import type { Process } from '../../src/runtime/component.ts';
import type { PortMap } from '../../src/runtime/port.ts';
import { loadRegistry } from '../../src/runtime/registry.ts';
import { readSettings } from '../../src/settings.ts';

/** The contract every component in components/ keeps, checked over all of them. */
const registry = await loadRegistry(COMPONENTS_DIR);
const components = registry.names.map((name) => registry.get(name)!);

describe.each(components.map((c) => [c.name, c] as const))('component %s', (_name, component) => {
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
      app: { settings: readSettings({}), describeNetwork: () => ({ name: 'x', processes: [], connections: [] }) },
      out: { send: () => undefined, isConnected: () => true },
    }) as Process<PortMap>;
    const handlers = Object.keys(process).filter((key) => key !== 'onStop');
    expect(handlers.sort()).toEqual(Object.keys(component.inPorts).sort());
    void process.onStop?.();
  });

  it('sends its errors as replies, so they reach the Responder', () => {
    if ('error' in component.outPorts) expect(component.outPorts.error?.datatype).toBe('reply');
  });
});
