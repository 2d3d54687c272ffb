import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../fixtures/tick-entry-shape.mjs', import.meta.url));
const MODULE = fileURLToPath(new URL('../../src/util/tick-entry-shape.ts', import.meta.url));

it("keeps one of Node's nextTick entries, and later entries keep its hidden class through full collections", () => {
  // A process of its own: the collections must run while this process alone queues ticks.
  const output = execFileSync(process.execPath, ['--import', 'tsx', '--expose-gc', '--allow-natives-syntax', SCRIPT, MODULE], { encoding: 'utf8' });
  const { symbols, keys, once, sameClass } = JSON.parse(output) as { symbols: string[]; keys: string[]; once: boolean; sameClass: boolean };
  // What it holds is a tick entry as Node makes it: its async ids under two symbols, then its callback.
  expect(symbols).toEqual(['async_id_symbol', 'trigger_async_id_symbol']);
  expect(keys).toContain('callback');
  expect(once).toBe(true);
  expect(sameClass).toBe(true);
});
