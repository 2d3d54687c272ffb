import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Where `npm ci` builds native/malloc-trim.c (package.json's install script
 * runs node-gyp): build/ at the root, two folders up from src/reclaim/, or
 * three from the compiled dist/src/reclaim/.
 */
const ADDON = ['../../build/Release/malloc_trim.node', '../../../build/Release/malloc_trim.node']
  .map((relative) => fileURLToPath(new URL(relative, import.meta.url)))
  .find((file) => existsSync(file)) ?? fileURLToPath(new URL('../../build/Release/malloc_trim.node', import.meta.url));

/**
 * The allocator's trim: `trim()` asks the C allocator to hand its free pages
 * back to the system (glibc's malloc_trim(0)) and says whether it gave any.
 * Without the addon (no C compiler when `npm ci` ran) `trim` is undefined and
 * `problem` says why: flowchat runs the same, only its RSS stays higher after
 * a wave of clients.
 */
export const mallocTrim: { readonly trim?: () => boolean; readonly problem?: string } = load();

function load(): { trim?: () => boolean; problem?: string } {
  try {
    const addon = createRequire(import.meta.url)(ADDON) as { mallocTrim?: unknown };
    const trim = addon.mallocTrim;
    if (typeof trim !== 'function') return { problem: `${ADDON} has no mallocTrim function; rebuild it with \`npm run install\`` };
    return { trim: () => trim() === true };
  } catch (error) {
    return { problem: `${ADDON} could not be loaded (${(error as Error).message.split('\n')[0]}); build it with \`npm run install\`, which needs a C compiler` };
  }
}
