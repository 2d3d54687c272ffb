import { afterAll, beforeAll, expect, it } from 'vitest';
import { entries, entryWithText, openChat, send, type ChatPage } from './browser.ts';
import { health } from './backend.ts';
import { asEntries, history } from './chat-api.ts';
import { startStack, type Stack } from './stack.ts';
import { describeE2E } from './system.ts';

describeE2E('chat page when the backend restarts', () => {
  let stack: Stack;
  let alice: ChatPage;
  let bob: ChatPage;

  beforeAll(async () => {
    stack = await startStack();
    alice = await openChat(stack.browser, stack.origin, 'alice');
    bob = await openChat(stack.browser, stack.origin, 'bob');
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('shows reconnecting, recovers by itself with the new history and delivers a message sent meanwhile once', async () => {
    await send(alice.page, 'before the restart');
    await entryWithText(bob.page, 'before the restart').waitFor();
    const oldEpoch = (await health(stack.backend.port)).epoch;

    expect(await stack.stopBackend()).toBe(0);
    for (const { page } of [alice, bob]) {
      await page.locator('#state[data-state="reconnecting"]').waitFor({ timeout: 10_000 });
      expect(await page.locator('#state').textContent()).toMatch(/^Reconnecting( in \d+ s|…)$/);
    }

    await send(alice.page, 'sent while down');
    const pending = alice.page.locator('#outbox > li', { hasText: 'sent while down' });
    await pending.waitFor();
    expect(await pending.getAttribute('data-state')).toMatch(/^(sending|waiting)$/);
    // Let the page fail and retry a few times before the server comes back.
    await alice.page.waitForTimeout(1_500);

    await stack.startBackend();
    expect((await health(stack.backend.port)).epoch).not.toBe(oldEpoch);
    for (const { page } of [alice, bob]) {
      await page.locator('#state[data-state="live"]').waitFor({ timeout: 10_000 });
      await entryWithText(page, 'sent while down').waitFor({ timeout: 10_000 });
    }

    const stored = asEntries(await history(stack.origin));
    expect(stored).toEqual([{ id: 1, author: 'alice', text: 'sent while down' }]);
    for (const { page, errors } of [alice, bob]) {
      // The old epoch's messages are gone from the view, nothing shows twice.
      await expect.poll(() => entries(page)).toEqual(stored);
      expect(await page.locator('#notice').isVisible()).toBe(true);
      expect(errors).toEqual([]);
    }
    await expect.poll(() => alice.page.locator('#outbox > li').count()).toBe(0);

    await send(bob.page, 'and the loop goes on');
    await entryWithText(alice.page, 'and the loop goes on').waitFor({ timeout: 2_000 });
    expect(await entries(alice.page)).toEqual(asEntries(await history(stack.origin)));
  });
});
