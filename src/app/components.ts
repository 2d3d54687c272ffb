import { fileURLToPath } from 'node:url';
import { loadRegistry, type Registry } from '../runtime/registry.ts';

/** Where the registry finds the components graph.json names. */
const COMPONENTS_DIR = fileURLToPath(new URL('../../components/', import.meta.url));

/**
 * loadComponents gives the components graph.json may name: one for each file
 * of components/. In the server `npm start` runs, scripts/bundle.ts puts in
 * this module's place one that imports the same files, listed when it was
 * built, with the same checks (registryOf).
 */
export function loadComponents(): Promise<Registry> {
  return loadRegistry(COMPONENTS_DIR);
}
