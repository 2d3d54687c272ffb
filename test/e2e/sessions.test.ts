import { afterAll, beforeAll, expect, it } from 'vitest';
import { entryWithText, openChat, send, tokenOf, type ChatPage } from './browser.ts';
import { endSession, history, onlyMessages, openSession, sessionStatus } from './chat-api.ts';
import { expectInSync } from './in-sync.ts';
import { startStack, type Stack } from './stack.ts';
import { describeE2E } from './system.ts';

describeE2E('sessions from the page', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('says a nick is taken and keeps asking until one is free', async () => {
    const alice = await openChat(stack.browser, stack.origin, 'alice');
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
    expect(await sessionStatus(stack.origin, await tokenOf(page))).toMatchObject({ status: 200, body: { nick: 'zoe2' } });
    await send(page, 'zoe2 was free');
    await entryWithText(alice.page, 'zoe2 was free').waitFor();
    expect(zoe.errors).toEqual([]);
    await zoe.context.close();
    await alice.context.close();
  });

  it('opens a new session by itself when the server forgot its token, and sends the message once', async () => {
    const amy = await openChat(stack.browser, stack.origin, 'amy');
    const old = await tokenOf(amy.page);
    // What expiry does, without waiting ten minutes: the server forgets the token.
    await endSession(stack.origin, old);
    expect((await sessionStatus(stack.origin, old)).body.error?.code).toBe('NO_SESSION');

    const posts: number[] = [];
    amy.page.on('response', (response) => {
      const url = new URL(response.url());
      if (response.request().method() === 'POST' && url.pathname === '/gochat/chat') posts.push(response.status());
    });
    await send(amy.page, 'after my session ended');
    await entryWithText(amy.page, 'after my session ended').waitFor();
    expect(posts).toEqual([401, 201]);
    expect(await amy.page.locator('#nick-dialog').isVisible()).toBe(false);
    const token = await tokenOf(amy.page);
    expect(token).not.toBe(old);
    expect(await sessionStatus(stack.origin, token)).toMatchObject({ status: 200, body: { nick: 'amy' } });
    const stored = onlyMessages(await history(stack.origin)).filter((message) => message.text === 'after my session ended');
    expect(stored.map((message) => message.author)).toEqual(['amy']);
    await expect.poll(() => amy.page.locator('#outbox > li').count(), { timeout: 5_000 }).toBe(0);
    await expectInSync(amy.page, stack.origin);
    expect(amy.errors).toEqual([]);
    await amy.context.close();
  });

  it('changes the nick from the profile and ends the old session', async () => {
    const ben = await openChat(stack.browser, stack.origin, 'ben');
    const old = await tokenOf(ben.page);
    await ben.page.locator('#me-button').click();
    await ben.page.locator('#profile[open]').waitFor();
    await ben.page.locator('#change-nick').click();
    await ben.page.locator('#nick-dialog[open]').waitFor();
    await ben.page.locator('#nick').fill('benny');
    await ben.page.locator('#nick').press('Enter');
    await ben.page.locator('#nick-dialog').waitFor({ state: 'hidden' });
    expect(await ben.page.locator('#me').textContent()).toBe('benny');
    await expect.poll(async () => (await sessionStatus(stack.origin, old)).body.error?.code, { timeout: 5_000 }).toBe('NO_SESSION');
    await send(ben.page, 'call me benny');
    const entry = entryWithText(ben.page, 'call me benny');
    await entry.waitFor();
    expect(await entry.getAttribute('data-author')).toBe('benny');
    await ben.context.close();
  });
});
