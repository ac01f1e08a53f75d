import type { Locator, Page } from '@playwright/test';
import { daemonUrl, expect, test } from './fixtures.ts';
import { adminPages, checkedWidths, colorSchemes, logInHere, openSettled } from './pages.ts';
import { testPasswords } from '../test/helpers/sandbox.ts';

// The page never scrolls sideways: wide content scrolls inside its own box. A failure names
// the outermost elements that stick out.
async function expectNoSidewaysScroll(page: Page, name: string): Promise<void> {
  const { scrollWidth, innerWidth, culprits } = await page.evaluate(() => {
    const outside = (element: Element) => element.getBoundingClientRect().right > window.innerWidth + 0.5;
    const culprits = [...document.querySelectorAll('body *')]
      .filter((element) => outside(element) && element.parentElement && !outside(element.parentElement))
      .slice(0, 5)
      .map((element) => `${element.tagName.toLowerCase()}.${[...element.classList].join('.')}#${element.id}`);
    return { scrollWidth: document.scrollingElement!.scrollWidth, innerWidth: window.innerWidth, culprits };
  });
  const what = `${name}: page width ${scrollWidth} in a ${innerWidth}-px window (${culprits.join(', ')})`;
  expect(scrollWidth, what).toBeLessThanOrEqual(innerWidth);
}

// The box lies wholly inside the window.
async function expectInViewport(page: Page, locator: Locator, what: string): Promise<void> {
  const box = (await locator.boundingBox())!;
  const { width, height } = page.viewportSize()!;
  expect(box, what).not.toBeNull();
  expect(box.x, `${what}: left edge`).toBeGreaterThanOrEqual(0);
  expect(box.y, `${what}: top edge`).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width, `${what}: right edge`).toBeLessThanOrEqual(width + 0.5);
  expect(box.y + box.height, `${what}: bottom edge`).toBeLessThanOrEqual(height + 0.5);
}

// Every link of the main menu can be seen and clicked: at once in a wide window, behind the
// "Menu" button in a narrow one; and "Log out" is in view.
async function expectMenuReachable(page: Page, name: string): Promise<void> {
  const toggle = page.getByRole('button', { name: 'Menu' });
  const links = page.getByRole('navigation', { name: 'Main' }).getByRole('link');
  const folded = await toggle.isVisible();
  if (folded) {
    await expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await expect(links.first()).toBeHidden();
    await toggle.click();
    await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  }
  expect(await links.count(), name).toBeGreaterThanOrEqual(9);
  // Unfolded, the menu is one row, each link on one line.
  if (!folded) {
    const heights = new Set(
      await links.evaluateAll((all) => all.map((link) => Math.round(link.getBoundingClientRect().height))),
    );
    const tops = new Set(
      await links.evaluateAll((all) => all.map((link) => Math.round(link.getBoundingClientRect().top))),
    );
    expect([...tops], `${name}: the menu in one row`).toHaveLength(1);
    expect([...heights], `${name}: each link on one line`).toHaveLength(1);
  }
  for (const link of await links.all())
    await expectInViewport(page, link, `${name}: menu link ${await link.innerText()}`);
  await expectInViewport(page, page.getByRole('button', { name: 'Log out' }), `${name}: Log out`);
  if (folded) {
    await page.keyboard.press('Escape');
    await links.first().focus();
    await page.keyboard.press('Escape');
    await expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await expect(toggle).toBeFocused();
  }
}

for (const width of checkedWidths) {
  for (const colorScheme of colorSchemes) {
    test(`every page fits a ${width}-px window, ${colorScheme} theme: no sideways scroll, menu and dialogs in reach`, async ({
      browser,
    }) => {
      test.setTimeout(120_000);
      const context = await browser.newContext({
        ignoreHTTPSErrors: true,
        baseURL: daemonUrl(),
        viewport: { width, height: 800 },
        colorScheme,
      });
      const page = await context.newPage();
      await page.goto('/login/');
      await expectNoSidewaysScroll(page, 'login');
      await logInHere(page, 'admin', testPasswords.admin);
      for (const [name, path] of Object.entries(adminPages)) {
        await openSettled(page, path);
        await expectNoSidewaysScroll(page, name);
        await expectMenuReachable(page, name);
      }
      // The New account dialog opens inside the window, whole, and its last button is reachable.
      await openSettled(page, '/accounts/');
      await page.getByRole('button', { name: 'New account' }).click();
      const dialog = page.getByRole('dialog', { name: 'New account' });
      await expectInViewport(page, dialog, 'New account dialog');
      await dialog.getByRole('button', { name: 'Create account' }).scrollIntoViewIfNeeded();
      await expectInViewport(page, dialog.getByRole('button', { name: 'Create account' }), 'Create account button');
      await expectNoSidewaysScroll(page, 'accounts with its dialog open');
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: 'Log out' }).click();
      await expect(page).toHaveURL(/\/login\/$/);
      await context.close();
    });
  }
}
