import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Component } from './component.ts';

/** Registry maps the component names graph.json uses to their definitions. */
export class Registry {
  private readonly components = new Map<string, Component>();

  /** add registers components; a second one with the same name is a mistake. */
  add(...components: readonly Component[]): this {
    for (const component of components) {
      const existing = this.components.get(component.name);
      if (existing !== undefined && existing !== component) {
        throw new Error(`Two components are named '${component.name}'; rename one of them`);
      }
      this.components.set(component.name, component);
    }
    return this;
  }

  get(name: string): Component | undefined {
    return this.components.get(name);
  }

  get names(): string[] {
    return [...this.components.keys()].sort();
  }
}

/**
 * loadRegistry imports every component file in `directory`: each file's
 * default export is one component. Dropping a file there is all it takes for
 * graph.json to use it.
 */
export async function loadRegistry(directory: string): Promise<Registry> {
  const files = (await readdir(directory)).filter(isComponentFile).sort();
  const modules: ComponentModule[] = [];
  for (const file of files) {
    const where = path.join(directory, file);
    modules.push({ file: where, exports: (await import(pathToFileURL(where).href)) as ComponentModule['exports'] });
  }
  return registryOf(modules);
}

/** isComponentFile says which files of the components folder are components: modules, not type declarations. */
export function isComponentFile(file: string): boolean {
  return /\.[cm]?[jt]s$/.test(file) && !file.endsWith('.d.ts');
}

/** ComponentModule is one imported component file: where it is, and what it exports. */
export interface ComponentModule {
  readonly file: string;
  readonly exports: { readonly default?: unknown };
}

/** registryOf registers each module's default export, which must be a component. */
export function registryOf(modules: readonly ComponentModule[]): Registry {
  const registry = new Registry();
  for (const { file, exports } of modules) {
    if (!isComponent(exports.default)) {
      throw new Error(`${file} has no component as its default export; export default defineComponent({...})`);
    }
    registry.add(exports.default);
  }
  return registry;
}

function isComponent(value: unknown): value is Component {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Partial<Component>;
  return typeof c.name === 'string' && typeof c.create === 'function' && typeof c.inPorts === 'object' && typeof c.outPorts === 'object';
}
