import { mkdir, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PollBody } from '../helpers/bodies.ts';
import { AT_ONCE_MS } from '../helpers/server.ts';
import { entries, entryWithText, openChat, send, tokenOf, type ChatPage } from './browser.ts';
import { asEntries, history, onlyMessages, openSession, post, type Session } from './chat-api.ts';
import { expectInSync } from './in-sync.ts';
import { startStack, type Stack } from './stack.ts';
import { describeE2E } from './system.ts';

const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));

describeE2E('chat page behind nginx', () => {
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

  it('shows what one user types to the other at once, not at the end of a held poll', async () => {
    for (const [from, to, text] of [
      [alice, bob, 'hello bob'],
      [bob, alice, 'hi alice, all good'],
    ] as const) {
      await from.page.locator('#text').fill(text);
      const started = Date.now();
      await from.page.locator('#text').press('Enter');
      await entryWithText(to.page, text).waitFor({ timeout: AT_ONCE_MS });
      expect(Date.now() - started).toBeLessThan(AT_ONCE_MS);
    }
    const said = onlyMessages(await history(stack.origin)).filter((m) => ['hello bob', 'hi alice, all good'].includes(m.text));
    expect(said.map((message) => message.author)).toEqual(['alice', 'bob']);
    // Each page signed in, so each is present: the server announced both.
    const joined = (await history(stack.origin)).filter((message) => message.type === 'join').map((message) => message.author);
    expect(joined).toEqual(expect.arrayContaining(['alice', 'bob']));
    await expectInSync(alice.page, stack.origin);
    await expectInSync(bob.page, stack.origin);
  });

  it('sends on Enter, adds a line on Shift+Enter and keeps the focus in the message box', async () => {
    const box = alice.page.locator('#text');
    await box.fill('first line');
    await box.press('Shift+Enter');
    await box.pressSequentially('second line');
    await expect.poll(() => box.inputValue()).toBe('first line\nsecond line');
    await box.press('Enter');
    await entryWithText(bob.page, 'first line\nsecond line').waitFor();
    expect(await box.inputValue()).toBe('');
    expect(await alice.page.evaluate(() => document.activeElement?.id)).toBe('text');
    await expect.poll(() => alice.page.locator('#outbox > li').count()).toBe(0);
  });

  it('keeps the history, the nick and the session when the page is reloaded', async () => {
    expect((await entries(bob.page)).length).toBeGreaterThan(0);
    const token = await tokenOf(bob.page);
    await bob.page.reload();
    await bob.page.locator('#state[data-state="live"]').waitFor();
    expect(await bob.page.locator('#nick-dialog').isVisible()).toBe(false);
    expect(await bob.page.locator('#me').textContent()).toBe('bob');
    expect(await tokenOf(bob.page)).toBe(token);
    await expectInSync(bob.page, stack.origin);
  });

  it('renders an HTML message as text and runs nothing', async () => {
    const hostile = '<img src=x onerror="window.__pwned=1;alert(1)"><script>window.__pwned=2</script><b>bold</b>';
    const dialogs: string[] = [];
    bob.page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await send(alice.page, hostile);
    const entry = entryWithText(bob.page, hostile);
    await entry.waitFor();
    expect(await entry.locator('.text').textContent()).toBe(hostile);
    // Let a broken image's onerror fire, had an <img> been created.
    await bob.page.waitForTimeout(500);
    expect(await bob.page.locator('#log img, #log script, #log b').count()).toBe(0);
    expect(await bob.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
  });

  it('leaves a reader who scrolled up in place, counts new messages and follows at the bottom', async () => {
    const dave: Session = await openSession(stack.origin, 'dave');
    for (let i = 1; i <= 40; i += 1) await post(stack.origin, dave, `filler ${i}`);
    const carol = await openChat(stack.browser, stack.origin, 'carol', { viewport: { width: 360, height: 640 } });
    const log = carol.page.locator('#log');
    await entryWithText(carol.page, 'filler 40').waitFor();
    const distanceToBottom = () => log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
    expect(await distanceToBottom()).toBeLessThan(2);

    await log.evaluate((el) => (el.scrollTop = 0));
    for (const text of ['new one', 'new two', 'new three']) await post(stack.origin, dave, text);
    await entryWithText(carol.page, 'new three').waitFor();
    expect(await log.evaluate((el) => el.scrollTop)).toBe(0);
    await expect.poll(() => carol.page.locator('#unread').textContent()).toContain('3 new messages');
    expect(await carol.page.locator('#unread').isVisible()).toBe(true);

    await carol.page.locator('#unread').click();
    expect(await distanceToBottom()).toBeLessThan(2);
    expect(await carol.page.locator('#unread').isVisible()).toBe(false);

    await post(stack.origin, dave, 'x'.repeat(300));
    await entryWithText(carol.page, 'x'.repeat(300)).waitFor();
    expect(await distanceToBottom()).toBeLessThan(2);
    expect(await carol.page.locator('#unread').isVisible()).toBe(false);
    // Phone-sized: nothing, not even a 300-character word, scrolls sideways.
    expect(await carol.page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
    expect(await log.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);

    await mkdir(ARTIFACTS, { recursive: true });
    await carol.page.screenshot({ path: `${ARTIFACTS}chat-phone.png` });
    expect(carol.errors).toEqual([]);
    await carol.context.close();
  });

  it('retries a post whose answer was lost with the same nonce, storing it once', async () => {
    const erin = await openChatWithPollsHeld(stack, 'erin');
    const page = erin.chat.page;
    const nonces: string[] = [];
    await page.route(isPost, async (route) => {
      nonces.push((route.request().postDataJSON() as { nonce: string }).nonce);
      if (nonces.length === 1) {
        await route.fetch();
        await route.abort('failed');
      } else {
        await route.continue();
      }
    });
    await send(page, 'answer lost once');
    await page.locator('#outbox > li[data-state="sent"]').waitFor();
    erin.releasePolls();
    await entryWithText(page, 'answer lost once').waitFor();
    await entryWithText(bob.page, 'answer lost once').waitFor();

    expect(nonces).toHaveLength(2);
    expect(nonces[0]).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(nonces[1]).toBe(nonces[0]);
    const stored = (await history(stack.origin)).filter((message) => message.text === 'answer lost once');
    expect(stored).toHaveLength(1);
    expect(stored[0]?.nonce).toBe(nonces[0]);
    expect(await entryWithText(page, 'answer lost once').count()).toBe(1);
    expect(await entryWithText(bob.page, 'answer lost once').count()).toBe(1);
    await expect.poll(() => page.locator('#outbox > li').count()).toBe(0);
    await erin.chat.context.close();
  });

  it('says when a rate-limited post may be retried, and retries or discards it on request', async () => {
    const page = alice.page;
    await page.route(isPost, (route) =>
      route.fulfill({
        status: 429,
        headers: { 'retry-after': '7', 'cache-control': 'no-store' },
        contentType: 'application/json; charset=utf-8',
        body: JSON.stringify({ error: { code: 'RATE_LIMITED', message: 'Too many posts; wait 7 s.' } }),
      }),
    );
    await send(page, 'too fast, discard me');
    await send(page, 'too fast, retry me');
    const discard = page.locator('#outbox > li', { hasText: 'discard me' });
    const retry = page.locator('#outbox > li', { hasText: 'retry me' });
    for (const item of [discard, retry]) {
      await item.and(page.locator('[data-state="failed"]')).waitFor();
      expect(await item.locator('.status').textContent()).toMatch(/too fast.*in 7 seconds/);
    }
    await page.unroute(isPost);

    await discard.getByRole('button', { name: 'Discard' }).click();
    await retry.getByRole('button', { name: 'Retry' }).click();
    await entryWithText(bob.page, 'too fast, retry me').waitFor();
    await expect.poll(() => page.locator('#outbox > li').count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('text');
    const texts = (await history(stack.origin)).map((message) => message.text);
    expect(texts.filter((text) => text === 'too fast, retry me')).toHaveLength(1);
    expect(texts).not.toContain('too fast, discard me');
  });

  it('shows offline while the browser has no network and catches up after', async () => {
    await bob.context.setOffline(true);
    await bob.page.locator('#state[data-state="offline"]').waitFor({ timeout: 5_000 });
    await send(alice.page, 'while bob was offline');
    await bob.context.setOffline(false);
    await bob.page.locator('#state[data-state="live"]').waitFor({ timeout: 5_000 });
    await entryWithText(bob.page, 'while bob was offline').waitFor({ timeout: 5_000 });
  });

  it('shows join and leave as muted lines, warns about dropped messages and re-renders on reset', async () => {
    const time = Date.now();
    const synthetic: PollBody = {
      epoch: 'synthetic',
      room: 'lobby',
      messages: [
        { id: 7, room: 'lobby', type: 'join', author: 'zed', text: 'zed joined', time },
        { id: 8, room: 'lobby', type: 'message', author: 'zed', text: 'hello from zed', time },
        { id: 9, room: 'lobby', type: 'leave', author: 'zed', text: 'zed left', time },
      ],
      next: 9,
      more: false,
      reset: false,
      truncated: true,
    };
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    let polls = 0;
    const frank = await openChat(stack.browser, stack.origin, 'frank', {
      // The first answer is made up (ids 1-6 dropped, presence events a
      // later issue adds); later polls reach the real server, whose epoch
      // differs, so it must answer with reset.
      prepare: (page) =>
        page.route(isPoll, async (route) => {
          polls += 1;
          if (polls === 1) {
            await route.fulfill({ contentType: 'application/json; charset=utf-8', body: JSON.stringify(synthetic) });
            return;
          }
          await released;
          await route.continue();
        }),
    });
    const page = frank.page;
    await expect.poll(() => entries(page)).toEqual(asEntries(synthetic.messages));
    const events = page.locator('#log > li.event');
    expect(await events.evaluateAll((items) => items.map((item) => item.getAttribute('data-type')))).toEqual(['join', 'leave']);
    expect(await events.locator('.author').count()).toBe(0);
    const color = (selector: string) => page.locator(selector).evaluate((el) => getComputedStyle(el).color);
    expect(await color('#log > li[data-id="7"]')).not.toBe(await color('#log > li[data-id="8"]'));
    expect(await page.locator('#notice').textContent()).toMatch(/dropped/);

    release();
    await expectInSync(page, stack.origin);
    expect(await page.locator('#notice').textContent()).toMatch(/lost its history/);
    expect(frank.errors).toEqual([]);
    await frank.context.close();
  });

  it('shows every message exactly once, as the server stores them, and saves a screenshot', async () => {
    const stored = await history(stack.origin);
    expect(stored.map((message) => message.id)).toEqual(stored.map((_, index) => index + 1));
    await expectInSync(alice.page, stack.origin);
    await expectInSync(bob.page, stack.origin);
    expect(alice.errors).toEqual([]);
    expect(bob.errors).toEqual([]);

    await mkdir(ARTIFACTS, { recursive: true });
    const path = `${ARTIFACTS}chat.png`;
    await alice.page.screenshot({ path });
    expect((await stat(path)).size).toBeGreaterThan(5_000);
  });
});

// Posts carry no query string; polls always do.
function isPost(url: URL): boolean {
  return url.pathname === '/gochat/chat' && url.search === '';
}

function isPoll(url: URL): boolean {
  return url.pathname === '/gochat/chat' && url.search !== '';
}

/**
 * openChatWithPollsHeld opens the page with its polls held back in the
 * browser until releasePolls(), so a test can act before the page sees the
 * server's copy of a message.
 */
async function openChatWithPollsHeld(stack: Stack, nick: string) {
  let releasePolls = () => {};
  const released = new Promise<void>((resolve) => (releasePolls = resolve));
  const chat = await openChat(stack.browser, stack.origin, nick, {
    prepare: (page) =>
      page.route(isPoll, async (route) => {
        await released;
        await route.continue();
      }),
  });
  return { chat, releasePolls };
}
