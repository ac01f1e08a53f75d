import { readdirSync, readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { daemonUrl, expect, logInAs, logOutAndClose, test } from './fixtures.ts';
import { startRelay } from './relay.ts';
import { testPasswords } from '../test/helpers/sandbox.ts';

// The e2e daemon is a sandbox: its shells run as the account's own host uid (from 0x7ffe0000,
// in no passwd) when it runs as root (CI, this machine), else as its own user.
const isRoot = process.getuid?.() === 0;
const expectedAccount = isRoot ? 'uid 2147' : process.env.USER;

// The text of the terminal shown (xterm's DOM rows).
const screenOf = (page: Page) => page.locator('.terminal-pane:not([hidden]) .xterm-rows');

// The rows of the terminal shown whose whole text matches `text` (trailing blanks aside).
const rowsOf = (page: Page, text: string) =>
  page
    .locator('.terminal-pane:not([hidden]) .xterm-rows > div')
    .filter({ hasText: new RegExp(`^${text.replace(/[$()*+]/g, '\\$&')}\\s*$`) });

// Types a command line into the terminal shown.
async function run(page: Page, line: string): Promise<void> {
  await page.locator('.terminal-pane:not([hidden]) .xterm').click();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
}

// Opens /terminal/ and waits for its first shell's prompt; returns the page's CSP violations
// (xterm.js's <style> elements must pass through their nonce), to be found empty at the end.
async function openTerminalPage(page: Page): Promise<string[]> {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await page.goto('/terminal/');
  await expect(page.locator('.terminal-tab[data-state="live"]')).toHaveCount(1);
  await expect(page.locator('#terminal-about')).toContainText(`runs as ${expectedAccount}`);
  await expect(screenOf(page)).toContainText('$');
  return violations;
}

test('a shell in the browser: arithmetic, who it runs as, tabs', async ({ browser }) => {
  const page = await logInAs(browser, 'admin', testPasswords.admin);
  const violations = await openTerminalPage(page);
  await run(page, 'echo $((6*7))');
  await expect(rowsOf(page, '42')).toHaveCount(1);
  await run(page, isRoot ? 'id -u' : 'id -un');
  const about = (await page.locator('#terminal-about').textContent()) ?? '';
  const who = isRoot ? /runs as uid (\d+)/.exec(about)![1]! : `${expectedAccount}`;
  await expect(rowsOf(page, who)).toHaveCount(1);
  // A second tab is a second shell.
  await page.getByRole('button', { name: '+ New terminal' }).click();
  await expect(page.locator('.terminal-tab[data-state="live"]')).toHaveCount(2);
  await run(page, 'echo second-$((1+1))');
  await expect(screenOf(page)).toContainText('second-2');
  await expect(rowsOf(page, '42')).toHaveCount(0);
  expect(violations).toEqual([]);
  await logOutAndClose(page);
});

test('the shell survives a dropped connection; the page comes back with its scrollback', async ({ browser }) => {
  const relay = await startRelay(new URL(daemonUrl()));
  const page = await logInAs(browser, 'admin', testPasswords.admin, relay.url);
  await openTerminalPage(page);
  await run(page, 'echo scrollback-$((2*21)); sleep 3; echo done');
  await expect(screenOf(page)).toContainText('scrollback-42');
  relay.block(true);
  relay.cut();
  await expect(page.locator('.terminal-tab[data-state="reconnecting"]')).toHaveCount(1);
  await expect(page.locator('#terminal-about')).toContainText('reconnecting');
  // Away while the command ends (a laptop asleep): `done` is printed with no page attached.
  await page.waitForTimeout(3500);
  relay.block(false);
  await expect(page.locator('.terminal-tab[data-state="live"]')).toHaveCount(1, { timeout: 15_000 });
  await expect(rowsOf(page, 'done')).toHaveCount(1, { timeout: 10_000 });
  await expect(rowsOf(page, 'scrollback-42')).toHaveCount(1);
  await logOutAndClose(page);
  relay.close();
});

test('a non-admin gets 403 with the default setting, and no Terminal in the menu', async ({ browser }) => {
  const page = await logInAs(browser, 'dnguyen', testPasswords.dnguyen);
  await expect(page.getByRole('link', { name: 'Terminal' })).toHaveCount(0);
  const answer = await page.goto('/terminal/');
  expect(answer?.status()).toBe(403);
  await logOutAndClose(page);
});

test('an admin whose shell is nologin gets none', async ({ browser }) => {
  const admin = await logInAs(browser, 'admin', testPasswords.admin);
  const setShell = (shell: string) =>
    admin.evaluate(async (value) => {
      const token = document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')!.content;
      const version = (await (await fetch('/api/v1/accounts/blefevre')).json()).version;
      const answer = await fetch('/api/v1/accounts/blefevre', {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', 'x-csrf-token': token },
        body: JSON.stringify({ shell: value, version }),
      });
      return answer.status;
    }, shell);
  expect(await setShell('/usr/sbin/nologin')).toBe(200);
  try {
    const page = await logInAs(browser, 'blefevre', testPasswords.blefevre);
    await expect(page.getByRole('link', { name: 'Terminal' })).toHaveCount(0);
    expect((await page.goto('/terminal/'))?.status()).toBe(403);
    await logOutAndClose(page);
  } finally {
    expect(await setShell('/bin/bash')).toBe(200);
    await logOutAndClose(admin);
  }
});

test('logging out kills the shell', async ({ browser }) => {
  const page = await logInAs(browser, 'admin', testPasswords.admin);
  await openTerminalPage(page);
  // The shell's pid is its pid namespace's: what it started is found from here by command line.
  const marker = String(7000 + Math.floor(Math.random() * 999));
  await run(page, `sleep ${marker} & echo start""ed`);
  await expect(screenOf(page)).toContainText('started');
  const running = () =>
    readdirSync('/proc').filter((entry) => {
      try {
        return readFileSync(`/proc/${entry}/cmdline`, 'utf8') === `sleep\0${marker}\0`;
      } catch {
        return false;
      }
    }).length;
  // The shell prints "started" once it forked the sleep, which may not have exec'd yet.
  await expect.poll(running, { timeout: 10_000 }).toBe(1);
  await page.goto('/');
  await logOutAndClose(page);
  await expect.poll(running, { timeout: 10_000 }).toBe(0);
});

test('an idle terminal runs no animation: the echo of a keystroke is not held for the next vsync', async ({
  browser,
}) => {
  const page = await logInAs(browser, 'admin', testPasswords.admin);
  await openTerminalPage(page);
  await page.locator('.terminal-pane:not([hidden]) .xterm').click();
  // A blinking cursor is an endless CSS animation: Chromium then draws a frame at every vsync,
  // and a keystroke's echo, held until the frame after the keystroke, waits for the next one.
  const animations = await page.evaluate(() => document.getAnimations().map((animation) => animation.toString()));
  expect(animations).toEqual([]);
  await logOutAndClose(page);
});

test("a capital letter reaches the shell once and is not typed into xterm's hidden textarea too", async ({
  browser,
}) => {
  const page = await logInAs(browser, 'admin', testPasswords.admin);
  await openTerminalPage(page);
  await page.locator('.terminal-pane:not([hidden]) .xterm').click();
  await page.keyboard.type('echo CAPS');
  await page.keyboard.press('Shift+KeyQ');
  await expect(screenOf(page)).toContainText('echo CAPSQ');
  // xterm sends A–Z from its keypress and leaves that keypress to the browser, which inserted
  // the letter into the textarea as well (an input event, a layout and a frame per letter).
  const textarea = page.locator('.terminal-pane:not([hidden]) .xterm-helper-textarea');
  expect(await textarea.inputValue()).toBe('');
  await page.keyboard.press('Enter');
  await expect(rowsOf(page, 'CAPSQ')).toHaveCount(1);
  await logOutAndClose(page);
});

test('usable at phone width: no sideways scrolling, tabs in reach and switching', async ({ browser }) => {
  const page = await logInAs(browser, 'admin', testPasswords.admin);
  await page.setViewportSize({ width: 375, height: 700 });
  await openTerminalPage(page);
  await page.getByRole('button', { name: '+ New terminal' }).click();
  await page.getByRole('button', { name: '+ New terminal' }).click();
  await expect(page.locator('.terminal-tab[data-state="live"]')).toHaveCount(3);
  await run(page, 'echo narrow-$((3*3))');
  await expect(screenOf(page)).toContainText('narrow-9');
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  const screen = (await page.locator('.terminal-pane:not([hidden]) .xterm-screen').boundingBox())!;
  expect(screen.x + screen.width).toBeLessThanOrEqual(375);
  for (const control of await page.locator('.terminal-tab button, #terminal-new').all()) {
    const box = (await control.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(375);
  }
  // The first tab, tapped, is shown again with its own shell's output.
  await page.locator('.terminal-tab-label').first().click();
  await expect(page.locator('.terminal-tab-label').first()).toHaveAttribute('aria-pressed', 'true');
  await expect(screenOf(page)).not.toContainText('narrow-9');
  await expect(screenOf(page)).toContainText('$');
  await logOutAndClose(page);
});
