import { test as base, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';

export { expect };

// The daemon global-setup.ts started.
export const daemonUrl = (): string => {
  const url = process.env.LICORN_E2E_URL;
  if (!url) throw new Error('LICORN_E2E_URL is not set: run through e2e/playwright.config.ts');
  return url;
};

// Logs in through the form in a fresh browser context, as a person would.
export async function logInAs(browser: Browser, login: string, password: string, url = daemonUrl()): Promise<Page> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, baseURL: url });
  const page = await context.newPage();
  await page.goto('/');
  await expect(page).toHaveURL(/\/login\/\?next=%2F$/);
  await page.getByLabel('Login').fill(login);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  return page;
}

// One login through the form for a whole spec file, its cookies then handed to each test's
// fresh context: a spec whose tests all start as the same person pays for one login, not one
// each. `open()` gives a new page in a new context already logged in; `end()` (afterAll)
// logs the session out, so other specs see no leftover session.
export function useOneLogin(login: string, password: string) {
  let state: Awaited<ReturnType<BrowserContext['storageState']>> | undefined;
  return {
    async open(browser: Browser): Promise<Page> {
      if (!state) {
        const first = await logInAs(browser, login, password);
        await expect(first.getByRole('button', { name: 'Log out' })).toBeVisible();
        state = await first.context().storageState();
        await first.context().close();
      }
      const context = await browser.newContext({ ignoreHTTPSErrors: true, baseURL: daemonUrl(), storageState: state });
      return context.newPage();
    },
    async end(browser: Browser): Promise<void> {
      if (!state) return;
      const page = await this.open(browser);
      await page.goto('/');
      await logOutAndClose(page);
      state = undefined;
    },
  };
}

// Logs out (so other specs see no leftover session) and closes the page's context.
export async function logOutAndClose(page: Page): Promise<void> {
  const logOut = page.getByRole('button', { name: 'Log out' });
  if ((await logOut.count()) > 0) {
    await logOut.click();
    await expect(page).toHaveURL(/\/login\/$/);
  }
  await page.context().close();
}

export const test = base;
