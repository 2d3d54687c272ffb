import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { mallocTrim } from '../../src/reclaim/malloc-trim.ts';
import { describeRequiring } from '../e2e/system.ts';

const SCRIPT = fileURLToPath(new URL('../fixtures/fragment-and-trim.mjs', import.meta.url));
const MODULE = fileURLToPath(new URL('../../src/reclaim/malloc-trim.ts', import.meta.url));

describeRequiring('the malloc_trim addon (native/malloc-trim.c)', mallocTrim.problem, () => {
  it('hands back the free pages a burst of small blocks left between the ones still in use', () => {
    // A process of its own: RSS is the whole process's, and the test runner's other files allocate too.
    const output = execFileSync(process.execPath, ['--import', 'tsx', '--expose-gc', SCRIPT, MODULE], { encoding: 'utf8' });
    const { kept, before, after, released } = JSON.parse(output) as { kept: number; before: number; after: number; released: boolean };
    expect(kept).toBe(512);
    expect(released).toBe(true);
    // 64 MiB were freed in blocks the heap's top is pinned above; glibc's free() alone returns none of it.
    expect(before - after).toBeGreaterThan(32);
  });
});
