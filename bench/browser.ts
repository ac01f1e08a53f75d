import { chromium, type Browser, type Page } from 'playwright-core';
import { testPasswords } from '../test/helpers/sandbox.ts';

// Debian's Chromium with the flags this machine needs (never a downloaded browser).
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

// Logs in as the demo's admin through the form, in a context of its own.
export async function logIn(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, baseURL: url });
  const page = await context.newPage();
  await page.goto('/login/');
  await page.getByLabel('Login').fill('admin');
  await page.getByLabel('Password').fill(testPasswords.admin);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(/\/$/);
  return page;
}

// The session cookie of a logged-in page, as a Cookie header.
export async function getCookieHeader(page: Page): Promise<string> {
  return (await page.context().cookies()).map((item) => `${item.name}=${item.value}`).join('; ');
}
