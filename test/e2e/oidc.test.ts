import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLIENT, startProvider, type RunningProvider } from '../helpers/oidc-provider.ts';
import { call, postJson } from '../helpers/server.ts';
import { PAGE_PATH, tokenOf } from './browser.ts';
import { sessionStatus } from './chat-api.ts';
import { startStack, type Stack } from './stack.ts';
import { describeE2E } from './system.ts';

const B = '/gochat/chat';

describeE2E('signing in with OpenID Connect', () => {
  let stack: Stack;
  let provider: RunningProvider | undefined;

  beforeAll(async () => {
    stack = await startStack({
      env: async (origin) => {
        provider = await startProvider(`${origin}${B}/auth/oidc/callback`);
        return { OIDC_ISSUER: provider.issuer, OIDC_CLIENT_ID: CLIENT.id, OIDC_CLIENT_SECRET: CLIENT.secret, PUBLIC_URL: origin };
      },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await provider?.stop();
  });

  /** signIn goes from the page to the provider and back, as `login`; it returns the page and the callback URL the provider sent the browser to. */
  async function signIn(browser: Browser, login: string): Promise<{ page: Page; callback: string }> {
    const page = await (await browser.newContext()).newPage();
    let callback = '';
    page.on('request', (request) => {
      if (request.url().includes(`${B}/auth/oidc/callback`)) callback = request.url();
    });
    await page.goto(`${stack.origin}${PAGE_PATH}`);
    const link = page.locator('#oidc-sign-in');
    await link.waitFor();
    expect(await link.textContent()).toBe(`Sign in with ${new URL(provider!.issuer).host}`);
    await link.click();
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('any password the test provider takes');
    await page.locator('button[type="submit"]').click();
    // The provider asks once to let flowchat see who this is.
    await page.locator('button[type="submit"]').click();
    await page.locator('#me', { hasText: login }).waitFor({ timeout: 15_000 });
    expect(new URL(page.url()).searchParams.has('signin')).toBe(false);
    return { page, callback };
  }

  it('sends the browser to the provider and back, signed in as an account bound to the provider\'s subject; a second sign-in is the same user', async () => {
    const first = await signIn(stack.browser, 'olga');
    const me = await sessionStatus(stack.origin, await tokenOf(first.page));
    expect(me.body).toMatchObject({ nick: 'olga', guest: false });
    const second = await signIn(stack.browser, 'olga');
    const again = await sessionStatus(stack.origin, await tokenOf(second.page));
    expect((again.body as unknown as { user: string }).user).toBe((me.body as unknown as { user: string }).user);
    const other = await signIn(stack.browser, 'pavel');
    expect(((await sessionStatus(stack.origin, await tokenOf(other.page))).body as unknown as { user: string }).user).not.toBe((me.body as unknown as { user: string }).user);
    for (const { page } of [first, second, other]) await page.context().close();
  });

  it('refuses a forged state, a replayed callback and a used or unknown sign-in code with 401 BAD_CREDENTIALS', async () => {
    const forged = await call(`${stack.origin}${B}/auth/oidc/callback?code=made-up&state=made-up`);
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe('BAD_CREDENTIALS');

    const { page, callback } = await signIn(stack.browser, 'quinn');
    expect(callback).toContain('state=');
    const replayed = await call(callback, { redirect: 'manual' });
    expect(replayed.status).toBe(401);
    expect(replayed.body.error.code).toBe('BAD_CREDENTIALS');

    const unknown = await postJson(`${stack.origin}${B}/session`, { code: 'not-a-code-anyone-was-given' });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.code).toBe('BAD_CREDENTIALS');
    await page.context().close();
  });

  it('hands out a sign-in code that works once', async () => {
    const page = await (await stack.browser.newContext()).newPage();
    let landing = '';
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.searchParams.has('signin')) landing = url.searchParams.get('signin') ?? '';
    });
    await page.goto(`${stack.origin}${B}/auth/oidc`);
    await page.locator('input[name="login"]').fill('rosa');
    await page.locator('input[name="password"]').fill('whatever');
    await page.locator('button[type="submit"]').click();
    await page.locator('button[type="submit"]').click();
    await page.locator('#me', { hasText: 'rosa' }).waitFor({ timeout: 15_000 });
    expect(landing).not.toBe('');
    const reused = await postJson(`${stack.origin}${B}/session`, { code: landing });
    expect(reused.status).toBe(401);
    expect(reused.body.error.code).toBe('BAD_CREDENTIALS');
    await page.context().close();
  });
});
