/**
 * browser: the system's Chromium driven by playwright-core (nothing is
 * downloaded), and the chat page opened as a given user.
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** CHROMIUM_BINARY is where Debian's chromium package puts the browser. */
export const CHROMIUM_BINARY = '/usr/bin/chromium';

/** launchBrowser starts headless Chromium with a throwaway profile. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_BINARY,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** ChatPage is one user's tab, with the script errors it raised. */
export interface ChatPage {
  context: BrowserContext;
  page: Page;
  errors: Error[];
}

/** Entry is one #log entry as the reader sees it. */
export interface Entry {
  id: number;
  type: string;
  author: string;
  text: string;
}

// Retries are capped at 1 s so recovery after a restart takes seconds.
export const PAGE_PATH = '/gochat/?maxBackoff=1000';

/** OpenOptions: the tab's screen size, and what to set up before the page loads. */
export interface OpenOptions {
  viewport?: { width: number; height: number };
  /** Runs before navigation (e.g. to route requests); then "live" is not awaited. */
  prepare?: (page: Page) => Promise<unknown>;
}

/**
 * openChat opens the page in a fresh context (own localStorage), enters
 * `nick` (which opens a session) and, unless `prepare` interferes with the
 * page's requests, waits until the dialog is gone and the page says it is live.
 */
export async function openChat(browser: Browser, origin: string, nick: string, options: OpenOptions = {}): Promise<ChatPage> {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1000, height: 700 } });
  // Below vitest's 30 s, so a missing element fails with Playwright's own account of it.
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const errors: Error[] = [];
  page.on('pageerror', (error) => errors.push(error));
  await options.prepare?.(page);
  await page.goto(`${origin}${PAGE_PATH}`);
  await page.locator('#nick').fill(nick);
  await page.locator('#nick').press('Enter');
  if (!options.prepare) {
    await page.locator('#nick-dialog').waitFor({ state: 'hidden' }).catch(async (error: unknown) => {
      const refusal = await page.locator('#nick-error').textContent();
      throw new Error(`${nick} could not sign in: ${refusal || 'the dialog stayed open without a reason'}`, { cause: error });
    });
    await page.locator('#state[data-state="live"]').waitFor();
  }
  return { context, page, errors };
}

/** tokenOf reads the session token the page keeps in localStorage. */
export function tokenOf(page: Page): Promise<string> {
  return page.evaluate(() => (JSON.parse(localStorage.getItem('flowchat.session') ?? '{}') as { token: string }).token);
}

/** entries reads every message in #log, in display order. */
export function entries(page: Page): Promise<Entry[]> {
  return page.$$eval('#log > li', (items) =>
    items.map((item) => ({
      id: Number(item.getAttribute('data-id')),
      type: item.getAttribute('data-type') ?? '',
      author: item.getAttribute('data-author') ?? '',
      text: item.querySelector('.text')?.textContent ?? '',
    })),
  );
}

/** entryWithText locates the #log entries whose text is exactly `text`. */
export function entryWithText(page: Page, text: string) {
  return page.locator('#log > li').filter({ has: page.locator('.text', { hasText: exactly(text) }) });
}

function exactly(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

/** send types `text` into the message box and presses Enter. */
export async function send(page: Page, text: string): Promise<void> {
  await page.locator('#text').fill(text);
  await page.locator('#text').press('Enter');
}
