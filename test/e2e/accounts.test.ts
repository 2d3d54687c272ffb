import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { PAGE_PATH, entryWithText, send, tokenOf } from './browser.ts';
import { history, onlyMessages, sessionStatus } from './chat-api.ts';
import { call, postJson } from '../helpers/server.ts';
import { startStack, type Stack } from './stack.ts';
import { describeE2E } from './system.ts';

const B = '/gochat/chat';

/** fresh opens the page in a new browser context, at the sign-in dialog. */
async function fresh(browser: Browser, origin: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${origin}${PAGE_PATH}`);
  await page.locator('#nick-dialog[open]').waitFor();
  return page;
}

/** signInWith fills the dialog and presses one of its buttons. */
async function signInWith(page: Page, nick: string, password: string, button: '#log-in' | '#create-account' | '#sign-guest'): Promise<void> {
  await page.locator('#nick').fill(nick);
  await page.locator('#password').fill(password);
  await page.locator(button).click();
}

describeE2E('accounts from the page', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('creates an account, keeps it over a reload, logs out and back in with the password, keeping its private room', async () => {
    const page = await fresh(stack.browser, stack.origin);
    await signInWith(page, 'ada', 'analytical engine', '#create-account');
    await page.locator('#nick-dialog').waitFor({ state: 'hidden' });
    expect(await page.locator('#me').textContent()).toBe('ada');
    const token = await tokenOf(page);
    expect(await sessionStatus(stack.origin, token)).toMatchObject({ status: 200, body: { nick: 'ada', guest: false } });
    expect(await page.locator('#guest-note').isVisible()).toBe(false);

    await page.locator('#new-room-name').fill('notes');
    await page.locator('#new-room-private').check();
    await page.locator('#new-room-name').press('Enter');
    await page.locator('#room-title', { hasText: 'notes' }).waitFor();
    await send(page, 'kept for later');
    await entryWithText(page, 'kept for later').waitFor();

    await page.reload();
    await page.locator('#me', { hasText: 'ada' }).waitFor();
    expect(await tokenOf(page)).toBe(token);

    await page.locator('#me-button').click();
    expect(await page.locator('#change-nick').isVisible()).toBe(false);
    await page.locator('#sign-out').click();
    await page.locator('#nick-dialog[open]').waitFor();
    expect((await sessionStatus(stack.origin, token)).status).toBe(401);

    await signInWith(page, 'ada', 'analytical engine', '#log-in');
    await page.locator('#nick-dialog').waitFor({ state: 'hidden' });
    const again = await tokenOf(page);
    expect(again).not.toBe(token);
    await page.locator('#rooms > li[data-room="notes"]').waitFor({ timeout: 10_000 });
    const kept = await history(stack.origin, { room: 'notes', token: again });
    expect(onlyMessages(kept).map((m) => m.text)).toEqual(['kept for later']);
    await page.context().close();
  });

  it('says so when the password is wrong, and logs in once it is right', async () => {
    await postJson(`${stack.origin}${B}/accounts`, { login: 'bea', password: 'the right one' });
    const page = await fresh(stack.browser, stack.origin);
    await signInWith(page, 'bea', 'the wrong one', '#log-in');
    await page.locator('#nick-error', { hasText: 'do not match' }).waitFor();
    expect(await page.locator('#nick-dialog').isVisible()).toBe(true);
    // Enter in the password field logs in.
    await page.locator('#password').fill('the right one');
    await page.locator('#password').press('Enter');
    await page.locator('#nick-dialog').waitFor({ state: 'hidden' });
    expect(await page.locator('#me').textContent()).toBe('bea');
    await page.context().close();
  });

  it('changes the password from the profile: the old one no longer logs in, the new one does', async () => {
    const page = await fresh(stack.browser, stack.origin);
    await signInWith(page, 'cy', 'first password', '#create-account');
    await page.locator('#nick-dialog').waitFor({ state: 'hidden' });
    await page.locator('#me-button').click();
    await page.locator('#password-form').waitFor();
    await page.locator('#old-password').fill('wrong password');
    await page.locator('#new-password').fill('second password');
    await page.locator('#password-form button').click();
    await page.locator('#profile-error', { hasText: 'current password is wrong' }).waitFor();
    await page.locator('#old-password').fill('first password');
    await page.locator('#password-form button').click();
    await page.locator('#profile-message', { hasText: 'Password changed' }).waitFor();
    const login = (password: string) => postJson(`${stack.origin}${B}/session`, { login: 'cy', password });
    expect((await login('first password')).status).toBe(401);
    expect((await login('second password')).status).toBe(201);
    // This page's own session lives on.
    expect((await sessionStatus(stack.origin, await tokenOf(page))).status).toBe(200);
    await page.context().close();
  });

  it('tells a guest that its private rooms end with its session, and a guest still needs no password', async () => {
    const page = await fresh(stack.browser, stack.origin);
    await page.locator('#nick').fill('dee');
    await page.locator('#nick').press('Enter');
    await page.locator('#nick-dialog').waitFor({ state: 'hidden' });
    await page.locator('#guest-note').waitFor();
    expect(await page.locator('#guest-note').textContent()).toMatch(/private rooms end with your session/);
    expect((await sessionStatus(stack.origin, await tokenOf(page))).body).toMatchObject({ guest: true });
    await send(page, 'hello as a guest');
    await entryWithText(page, 'hello as a guest').waitFor();
    expect((await call(`${stack.origin}${B}/users/dee`)).status).toBe(200);
    await page.context().close();
  });
});
