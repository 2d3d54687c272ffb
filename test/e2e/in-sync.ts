import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { entries } from './browser.ts';
import { asEntries, history, type HistoryOptions } from './chat-api.ts';

/**
 * expectInSync waits until the page shows exactly what the server holds in
 * a room, both read afresh each time: join and leave lines may arrive
 * meanwhile, so a copy of the history taken once could be outdated.
 */
export async function expectInSync(page: Page, origin: string, options: HistoryOptions = {}): Promise<void> {
  await expect
    .poll(async () => {
      const stored = asEntries(await history(origin, options));
      const shown = await entries(page);
      return JSON.stringify(shown) === JSON.stringify(stored) ? 'in sync' : { shown, stored };
    }, { timeout: 5_000 })
    .toBe('in sync');
}
