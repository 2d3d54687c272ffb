import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRegistry, registryOf } from '../../src/runtime/registry.ts';
import { Collector, PassThrough } from '../helpers/test-components.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'flowchat-registry-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HELPERS = new URL('../helpers/test-components.ts', import.meta.url).href;

describe('loadRegistry', () => {
  it('registers the default export of each module in the folder, and nothing else there', async () => {
    const folder = mkdtempSync(path.join(dir, 'components-'));
    writeFileSync(path.join(folder, 'pass.ts'), `export { PassThrough as default } from '${HELPERS}';\n`);
    writeFileSync(path.join(folder, 'collect.js'), `export { Collector as default } from '${HELPERS}';\n`);
    writeFileSync(path.join(folder, 'types.d.ts'), 'export declare const x: number;\n');
    writeFileSync(path.join(folder, 'README.md'), '# not a component\n');
    const registry = await loadRegistry(folder);
    expect(registry.names).toEqual([Collector.name, PassThrough.name].sort());
    expect(registry.get(PassThrough.name)).toBe(PassThrough);
  });

  it('refuses a module whose default export is not a component, naming the file and the fix', async () => {
    const folder = mkdtempSync(path.join(dir, 'components-'));
    writeFileSync(path.join(folder, 'helper.ts'), 'export const x = 1;\n');
    await expect(loadRegistry(folder)).rejects.toThrow(`${path.join(folder, 'helper.ts')} has no component as its default export; export default defineComponent({...})`);
  });
});

describe('registryOf (the bundle registers components/ through it)', () => {
  it('registers each module’s default export, and refuses one that is not a component', () => {
    expect(registryOf([{ file: 'components/pass.ts', exports: { default: PassThrough } }]).get(PassThrough.name)).toBe(PassThrough);
    expect(() => registryOf([{ file: 'components/pass.ts', exports: { default: PassThrough } }, { file: 'components/util.ts', exports: {} }])).toThrow(
      'components/util.ts has no component as its default export',
    );
  });

  it('refuses two components of one name', () => {
    const twin = { ...Collector, name: PassThrough.name };
    expect(() => registryOf([{ file: 'components/a.ts', exports: { default: PassThrough } }, { file: 'components/b.ts', exports: { default: twin } }])).toThrow(
      `Two components are named '${PassThrough.name}'; rename one of them`,
    );
  });
});
