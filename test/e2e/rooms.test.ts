import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { entryWithText, openChat, send, tokenOf, type ChatPage } from './browser.ts';
import { pollAnswer } from './chat-api.ts';
import { expectInSync } from './in-sync.ts';
import { startStack, type Stack } from './stack.ts';
import { describeE2E } from './system.ts';

const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
// Presence lasts this long after someone's last poll, instead of 35 s, so
// the tests see people leave within seconds.
const PRESENCE_WINDOW_MS = 2_000;

describeE2E('rooms, direct conversations, presence and profiles', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ settings: [{ process: 'Presence', port: 'windowMs', data: PRESENCE_WINDOW_MS }] });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('lets alice find bob, talk with him alone, and shows bob her coming and going', async () => {
    const bob = await openChat(stack.browser, stack.origin, 'bob');
    const carol = await openChat(stack.browser, stack.origin, 'carol');
    const alice = await openChat(stack.browser, stack.origin, 'alice');
    await line(bob.page, 'join', 'alice').waitFor();
    await bob.page.locator('#users > li[data-nick="alice"]').waitFor();

    await alice.page.locator('#user-search').fill('bo');
    const found = alice.page.locator('#user-results > li[data-nick="bob"]');
    await found.waitFor();
    await found.getByRole('button', { name: 'Start a conversation with bob' }).click();
    await expect.poll(() => currentRoom(alice.page), { timeout: 5_000 }).toMatch(/^room-/);
    const direct = await currentRoom(alice.page);
    expect(await alice.page.locator('#room-title').textContent()).toBe('bob');
    expect(await alice.page.locator(`#rooms > li[data-room="${direct}"]`).getAttribute('data-kind')).toBe('direct');
    await send(alice.page, 'hi bob, just between us');
    await entryWithText(alice.page, 'hi bob, just between us').waitFor();

    // Alice's page now polls the conversation, so she is gone from the lobby.
    await line(bob.page, 'leave', 'alice').waitFor({ timeout: 10_000 });
    await expect.poll(() => bob.page.locator('#users > li[data-nick="alice"]').count(), { timeout: 5_000 }).toBe(0);

    const item = bob.page.locator(`#rooms > li[data-room="${direct}"]`);
    await item.waitFor({ timeout: 10_000 });
    // One message: alice's join line does not count as unread.
    await expect.poll(async () => Number(await item.getAttribute('data-unread')), { timeout: 10_000 }).toBe(1);
    expect(await item.locator('.title').textContent()).toBe('alice');
    await item.locator('button').click();
    await entryWithText(bob.page, 'hi bob, just between us').waitFor();
    expect(await item.getAttribute('data-unread')).toBe('0');
    await send(bob.page, 'hi alice, nobody else can read this');
    await entryWithText(alice.page, 'hi alice, nobody else can read this').waitFor();
    await expectInSync(alice.page, stack.origin, { room: direct, token: await tokenOf(alice.page) });
    await expectInSync(bob.page, stack.origin, { room: direct, token: await tokenOf(bob.page) });

    // Carol is not a member: not in her list, and the server refuses her.
    await freshListing(carol.page);
    expect(await carol.page.locator('#rooms > li').evaluateAll((items) => items.map((li) => li.getAttribute('data-room')))).not.toContain(direct);
    expect(await pollAnswer(stack.origin, direct, await tokenOf(carol.page))).toMatchObject({ status: 403, body: { error: { code: 'NOT_A_MEMBER' } } });
    expect(await pollAnswer(stack.origin, direct)).toMatchObject({ status: 401, body: { error: { code: 'NO_SESSION' } } });

    await alice.context.close();
    await line(bob.page, 'leave', 'alice').waitFor({ timeout: 10_000 });
    for (const { errors } of [alice, bob, carol]) expect(errors).toEqual([]);
    await closeAll(bob, carol);
  }, 60_000);

  it('creates a private room, invites carol into it, and lets her leave it', async () => {
    const bob = await openChat(stack.browser, stack.origin, 'bob2');
    const carol = await openChat(stack.browser, stack.origin, 'carol2');
    await bob.page.locator('#new-room-name').fill('ops');
    await bob.page.locator('#new-room-private').check();
    await bob.page.locator('#new-room-name').press('Enter');
    await expect.poll(() => currentRoom(bob.page), { timeout: 5_000 }).toBe('ops');
    expect(await bob.page.locator('#rooms > li[data-room="ops"]').getAttribute('data-kind')).toBe('private');
    await bob.page.locator('#invite-nick').fill('carol2');
    await bob.page.locator('#invite-nick').press('Enter');
    await expect.poll(() => bob.page.locator('#room-members').textContent(), { timeout: 5_000 }).toBe('Members: bob2, carol2');

    const ops = carol.page.locator('#rooms > li[data-room="ops"]');
    await ops.waitFor({ timeout: 10_000 });
    await ops.locator('button').click();
    await send(carol.page, 'carol reporting');
    await entryWithText(bob.page, 'carol reporting').waitFor();
    await line(bob.page, 'join', 'carol2').waitFor();

    await carol.page.locator('#leave-room').click();
    await expect.poll(() => currentRoom(carol.page), { timeout: 5_000 }).toBe('lobby');
    await line(bob.page, 'leave', 'carol2').waitFor();
    await expect.poll(() => bob.page.locator('#room-members').textContent(), { timeout: 10_000 }).toBe('Members: bob2');
    await expect.poll(() => ops.count(), { timeout: 10_000 }).toBe(0);
    expect(await pollAnswer(stack.origin, 'ops', await tokenOf(carol.page))).toMatchObject({ status: 403, body: { error: { code: 'NOT_A_MEMBER' } } });
    for (const { errors } of [bob, carol]) expect(errors).toEqual([]);
    await closeAll(bob, carol);
  });

  it('edits a profile, shows it to others from the user list, with the same avatar everywhere', async () => {
    const bob = await openChat(stack.browser, stack.origin, 'bruno');
    const carol = await openChat(stack.browser, stack.origin, 'cora');
    const requests: string[] = [];
    carol.page.on('request', (request) => requests.push(request.url()));

    await bob.page.locator('#me-button').click();
    const dialog = bob.page.locator('#profile');
    await dialog.and(bob.page.locator('[data-mine="true"]')).waitFor();
    await expect.poll(() => bob.page.locator('#profile-message').isVisible(), { timeout: 5_000 }).toBe(false);
    await bob.page.locator('#profile-status').fill('on call');
    await bob.page.locator('#profile-bio').fill('Ask me about the build.\nAny time.');
    await bob.page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => bob.page.locator('#profile-message').textContent(), { timeout: 5_000 }).toBe('Saved.');
    // An emptied field is cleared, not refused.
    await bob.page.locator('#profile-bio').fill('');
    const patched = bob.page.waitForResponse((response) => response.request().method() === 'PATCH');
    await bob.page.getByRole('button', { name: 'Save' }).click();
    expect((await patched).status()).toBe(200);
    await expect.poll(() => bob.page.locator('#profile-message').textContent(), { timeout: 5_000 }).toBe('Saved.');
    await bob.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });

    const bobInList = carol.page.locator('#users > li[data-nick="bruno"]');
    await bobInList.waitFor({ timeout: 10_000 });
    await bobInList.locator('button').click();
    const seen = carol.page.locator('#profile[data-nick="bruno"][data-mine="false"]');
    await seen.waitFor();
    await expect.poll(() => carol.page.locator('#profile-status-text').textContent(), { timeout: 5_000 }).toBe('on call');
    expect(await carol.page.locator('#profile-bio-text').textContent()).toBe('—');
    expect(await carol.page.locator('#profile-online').textContent()).toBe('Online now');

    const look = (page: Page, selector: string) =>
      page.locator(selector).evaluate((el) => ({ text: el.textContent, color: getComputedStyle(el).backgroundColor }));
    const inProfile = await look(carol.page, '#profile-avatar .avatar');
    expect(inProfile.text).toBe('B');
    expect(inProfile.color).not.toBe('');
    // The user list is drawn anew with each listing, and an element read while it is replaced has no style: read again.
    await expect.poll(() => look(carol.page, '#users > li[data-nick="bruno"] .avatar'), { timeout: 5_000 }).toEqual(inProfile);
    expect(await look(bob.page, '#me-avatar .avatar')).toEqual(inProfile);
    expect(inProfile.color).not.toBe(await look(carol.page, '#me-avatar .avatar').then((avatar) => avatar.color));

    await carol.page.locator('#profile-direct').click();
    await expect.poll(() => carol.page.locator('#room-title').textContent(), { timeout: 5_000 }).toBe('bruno');
    await send(carol.page, 'about that build');
    const said = entryWithText(carol.page, 'about that build');
    await said.waitFor();
    expect(await look(carol.page, '#log > li[data-author="cora"] .avatar')).toEqual(await look(carol.page, '#me-avatar .avatar'));
    await mkdir(ARTIFACTS, { recursive: true });
    await carol.page.screenshot({ path: `${ARTIFACTS}rooms.png` });
    // Avatars are drawn in the page: nothing was asked of anyone but this origin.
    expect(requests.filter((url) => !url.startsWith(stack.origin))).toEqual([]);
    for (const { errors } of [bob, carol]) expect(errors).toEqual([]);
    await closeAll(bob, carol);
  });

  it('folds the rooms into a menu on a phone, usable from the keyboard', async () => {
    const dave = await openChat(stack.browser, stack.origin, 'dave', { viewport: { width: 360, height: 640 } });
    const page = dave.page;
    const sidebar = page.locator('#sidebar');
    expect(await sidebar.isVisible()).toBe(false);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);

    await page.locator('#menu').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => sidebar.isVisible()).toBe(true);
    expect(await page.locator('#menu').getAttribute('aria-expanded')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.closest('li')?.getAttribute('data-room'))).toBe('lobby');
    // The drawer slides in; the screenshot waits until it is all there.
    await expect.poll(() => sidebar.evaluate((el) => getComputedStyle(el).transform)).toBe('none');
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}rooms-phone.png` });

    await page.keyboard.press('Escape');
    await expect.poll(() => sidebar.isVisible()).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('menu');

    await page.locator('#menu').click();
    await page.locator('#new-room-name').fill('random');
    await page.locator('#new-room-name').press('Enter');
    await expect.poll(() => currentRoom(page), { timeout: 5_000 }).toBe('random');
    await expect.poll(() => sidebar.isVisible()).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('text');
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
    expect(dave.errors).toEqual([]);
    await dave.context.close();
  });
});

/** closeAll closes the pages a test opened. */
async function closeAll(...pages: ChatPage[]): Promise<void> {
  for (const { context } of pages) await context.close();
}

/** line locates the join or leave lines about `nick` in a page's log. */
function line(page: Page, type: 'join' | 'leave', nick: string) {
  return page.locator(`#log > li[data-type="${type}"][data-author="${nick}"]`).last();
}

/** currentRoom is the room the page has open, as its address says. */
function currentRoom(page: Page): Promise<string> {
  return page.evaluate(() => new URL(location.href).searchParams.get('room') ?? 'lobby');
}

/** freshListing waits until the page's room list shows a listing received after this call. */
async function freshListing(page: Page): Promise<void> {
  const listings = () => page.locator('#rooms').evaluate((el) => Number(el.getAttribute('data-listings') ?? 0));
  const before = await listings();
  await expect.poll(listings, { timeout: 10_000 }).toBeGreaterThan(before);
}
