import { afterAll } from 'vitest';
import { removeWrittenGraphs } from './helpers/graph-file.ts';

// Run before every test file (vitest.config.ts, setupFiles): what a file wrote, it removes.
afterAll(() => removeWrittenGraphs());
