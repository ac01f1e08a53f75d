import WebSocket from 'ws';
import { daemonUrl, expect, logInAs, test } from './fixtures.ts';
import { testPasswords } from '../test/helpers/sandbox.ts';

test('a non-admin gets "My account" only, and 403 on admin routes', async ({ browser }) => {
  const page = await logInAs(browser, 'dnguyen', testPasswords.dnguyen);
  await expect(page).toHaveURL(/\/me\/$/);
  await expect(page.getByRole('heading', { name: 'My account' })).toBeVisible();
  await expect(page.getByText('David Nguyen').first()).toBeVisible();
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link')).toHaveText(['My account']);

  const response = await page.goto('/api/v1/sessions');
  expect(response?.status()).toBe(403);
  const dashboard = await page.goto('/');
  expect(dashboard?.url()).toMatch(/\/me\/$/);
  await page.context().close();
});

test('a wrong password shows one message and keeps the login typed', async ({ browser }) => {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, baseURL: daemonUrl() });
  const page = await context.newPage();
  await page.goto('/login/');
  await page.getByLabel('Login').fill('admin');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Login or password incorrect.');
  await expect(page.getByLabel('Login')).toHaveValue('admin');
  await expect(page.getByLabel('Password')).toHaveValue('');
  await context.close();
});

test('a WebSocket from a foreign Origin is refused, even with a valid session', async ({ browser }) => {
  const page = await logInAs(browser, 'admin', testPasswords.admin);
  await expect(page.locator('#connection-state')).toHaveAttribute('data-state', 'live');
  const cookies = await page.context().cookies();
  const cookie = cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  const url = daemonUrl().replace('https://', 'wss://') + '/ws';
  const status = await new Promise<number>((resolve, reject) => {
    // The test's own daemon uses a self-signed certificate.
    const socket = new WebSocket(url, {
      headers: { cookie, origin: 'https://evil.example' },
      rejectUnauthorized: false,
    });
    socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.on('open', () => reject(new Error('a foreign origin was let in')));
    socket.on('error', () => {});
  });
  expect(status).toBe(403);
  await page.context().close();
});

test('every control is reachable by keyboard with a visible focus', async ({ browser }) => {
  const page = await logInAs(browser, 'admin', testPasswords.admin);
  await expect(page.locator('#connection-state')).toHaveAttribute('data-state', 'live');
  const reached: string[] = [];
  for (let i = 0; i < 12; i += 1) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const element = document.activeElement as HTMLElement | null;
      if (!element || element === document.body) return null;
      const style = getComputedStyle(element);
      return {
        text: element.textContent?.trim() ?? '',
        outline: style.outlineStyle !== 'none' && style.outlineWidth !== '0px',
      };
    });
    if (!focused) continue;
    expect(focused.outline, `focus on "${focused.text}" is visible`).toBe(true);
    reached.push(focused.text);
  }
  expect(reached).toEqual(
    expect.arrayContaining([
      'Skip to content',
      'Dashboard',
      'Accounts',
      'Groups',
      'Status',
      'Audit',
      'My account',
      'Log out',
    ]),
  );
  await page.context().close();
});
