import { afterAll, beforeAll, expect, it } from 'vitest';
import { entryWithText, openChat, send, tokenOf, type ChatPage } from './browser.ts';
import { call } from '../helpers/server.ts';
import { history, onlyMessages, present, sessionStatus } from './chat-api.ts';
import { expectInSync } from './in-sync.ts';
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

  it('shows reconnecting, re-opens its session by itself, shows the new history and delivers a message sent meanwhile once', async () => {
    await send(alice.page, 'before the restart');
    await entryWithText(bob.page, 'before the restart').waitFor();
    const oldEpoch = (await call(`${stack.backend.base}/health`)).body.epoch;
    const oldTokens = [await tokenOf(alice.page), await tokenOf(bob.page)];

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
    expect((await call(`${stack.backend.base}/health`)).body.epoch).not.toBe(oldEpoch);
    // The new server knows no token: posting needs a session, so the page must open a new one.
    expect((await sessionStatus(stack.origin, oldTokens[0] as string)).body.error?.code).toBe('NO_SESSION');
    for (const { page } of [alice, bob]) {
      await page.locator('#state[data-state="live"]').waitFor({ timeout: 10_000 });
      await entryWithText(page, 'sent while down').waitFor({ timeout: 10_000 });
    }

    const said = onlyMessages(await history(stack.origin));
    expect(said.map(({ author, text }) => ({ author, text }))).toEqual([{ author: 'alice', text: 'sent while down' }]);
    for (const [index, { page, errors }] of [alice, bob].entries()) {
      // The old epoch's messages are gone from the view, nothing shows twice.
      await expectInSync(page, stack.origin);
      expect(await page.locator('#notice').isVisible()).toBe(true);
      // Nobody was asked for a nick: each page opened a new session for its own.
      expect(await page.locator('#nick-dialog').isVisible()).toBe(false);
      const token = await tokenOf(page);
      expect(token).not.toBe(oldTokens[index]);
      expect(await sessionStatus(stack.origin, token)).toMatchObject({ status: 200, body: { nick: index === 0 ? 'alice' : 'bob' } });
      expect(errors).toEqual([]);
    }
    await expect.poll(() => alice.page.locator('#outbox > li').count(), { timeout: 5_000 }).toBe(0);
    // Polling under the new sessions, both are present again.
    await expect.poll(async () => (await present(stack.origin, 'lobby')).sort(), { timeout: 5_000 }).toEqual(['alice', 'bob']);

    await send(bob.page, 'and the loop goes on');
    await entryWithText(alice.page, 'and the loop goes on').waitFor({ timeout: 2_000 });
    await expectInSync(alice.page, stack.origin);
  });

  it('takes a page out of a private room the restarted server forgot, back to the lobby', async () => {
    await bob.page.locator('#user-search').fill('alice');
    await bob.page.locator('#user-search').press('Enter');
    await expect.poll(() => bob.page.locator('#room-title').textContent(), { timeout: 5_000 }).toBe('alice');
    const direct = await bob.page.evaluate(() => new URL(location.href).searchParams.get('room'));
    expect(direct).toMatch(/^room-/);
    await send(bob.page, 'just us');
    await entryWithText(bob.page, 'just us').waitFor();

    expect(await stack.stopBackend()).toBe(0);
    await bob.page.locator('#state[data-state="reconnecting"]').waitFor({ timeout: 10_000 });
    await send(bob.page, 'still just us');
    const pending = bob.page.locator('#outbox > li', { hasText: 'still just us' });
    await pending.waitFor();
    await bob.page.waitForTimeout(1_500);
    await stack.startBackend();
    // Its name would now be a public room's: the page must not stay there.
    await expect.poll(() => bob.page.locator('#room-title').textContent(), { timeout: 15_000 }).toBe('lobby');
    expect(await bob.page.locator('#notice-text').textContent()).toMatch(/forgot its private rooms/);
    await bob.page.locator('#state[data-state="live"]').waitFor({ timeout: 10_000 });
    await expect.poll(() => bob.page.locator(`#rooms > li[data-room="${direct}"]`).count(), { timeout: 30_000 }).toBe(0);
    // Nor may what was typed there while the server was down be posted where anyone can read it.
    await expect.poll(() => pending.getAttribute('data-state'), { timeout: 15_000 }).toBe('failed');
    expect(await pending.locator('.status').textContent()).toMatch(/private room no longer exists/);
    expect(await history(stack.origin, { room: direct as string })).toEqual([]);
    expect(bob.errors).toEqual([]);
  }, 90_000);
});
