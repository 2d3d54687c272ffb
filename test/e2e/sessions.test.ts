import { afterAll, beforeAll, expect, it } from 'vitest';
import { entryWithText, openChat, send, tokenOf, type ChatPage } from './browser.ts';
import { endSession, history, onlyMessages, openSession, sessionStatus } from './chat-api.ts';
import { expectInSync } from './in-sync.ts';
import { startStack, type Stack } from './stack.ts';
import { describeE2E } from './system.ts';

describeE2E('sessions from the page', () => {
  let stack: Stack;
  let alice: ChatPage;

  beforeAll(async () => {
    stack = await startStack();
    alice = await openChat(stack.browser, stack.origin, 'alice');
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('says a nick is taken and keeps asking until one is free', async () => {
    await openSession(stack.origin, 'zoe');
    const zoe = await openChat(stack.browser, stack.origin, 'zoe', { prepare: async () => undefined });
    const page = zoe.page;
    const error = page.locator('#nick-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/taken/);
    expect(await page.locator('#nick-dialog').isVisible()).toBe(true);
    expect(await page.locator('#text').isDisabled()).toBe(true);

    await page.locator('#nick').fill('zoe2');
    await page.locator('#nick').press('Enter');
    await page.locator('#nick-dialog').waitFor({ state: 'hidden' });
    expect(await page.locator('#me').textContent()).toBe('zoe2');
    expect(await sessionStatus(stack.origin, await tokenOf(page))).toMatchObject({ status: 200, nick: 'zoe2' });
    await send(page, 'zoe2 was free');
    await entryWithText(alice.page, 'zoe2 was free').waitFor();
    expect(zoe.errors).toEqual([]);
    await zoe.context.close();
  });

  it('opens a new session by itself when the server forgot its token, and sends the message once', async () => {
    const old = await tokenOf(alice.page);
    // What expiry does, without waiting ten minutes: the server forgets the token.
    await endSession(stack.origin, old);
    expect((await sessionStatus(stack.origin, old)).code).toBe('NO_SESSION');

    const posts: number[] = [];
    alice.page.on('response', (response) => {
      const url = new URL(response.url());
      if (response.request().method() === 'POST' && url.pathname === '/gochat/chat') posts.push(response.status());
    });
    await send(alice.page, 'after my session ended');
    await entryWithText(alice.page, 'after my session ended').waitFor();
    expect(posts).toEqual([401, 201]);
    expect(await alice.page.locator('#nick-dialog').isVisible()).toBe(false);
    const token = await tokenOf(alice.page);
    expect(token).not.toBe(old);
    expect(await sessionStatus(stack.origin, token)).toMatchObject({ status: 200, nick: 'alice' });
    const stored = onlyMessages(await history(stack.origin)).filter((message) => message.text === 'after my session ended');
    expect(stored.map((message) => message.author)).toEqual(['alice']);
    await expect.poll(() => alice.page.locator('#outbox > li').count(), { timeout: 5_000 }).toBe(0);
    await expectInSync(alice.page, stack.origin);
    expect(alice.errors).toEqual([]);
  });

  it('changes the nick from the profile and ends the old session', async () => {
    const old = await tokenOf(alice.page);
    await alice.page.locator('#me-button').click();
    await alice.page.locator('#profile[open]').waitFor();
    await alice.page.locator('#change-nick').click();
    await alice.page.locator('#nick-dialog[open]').waitFor();
    await alice.page.locator('#nick').fill('alicia');
    await alice.page.locator('#nick').press('Enter');
    await alice.page.locator('#nick-dialog').waitFor({ state: 'hidden' });
    expect(await alice.page.locator('#me').textContent()).toBe('alicia');
    await expect.poll(async () => (await sessionStatus(stack.origin, old)).code, { timeout: 5_000 }).toBe('NO_SESSION');
    await send(alice.page, 'call me alicia');
    const entry = entryWithText(alice.page, 'call me alicia');
    await entry.waitFor();
    expect(await entry.getAttribute('data-author')).toBe('alicia');
  });
});
