import type { Browser, Locator, Page } from '@playwright/test';
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

// The top bar's words the checks look for, in each language.
const english = { menu: 'Menu', nav: 'Main', logOut: 'Log out' };
const french = { menu: 'Menu', nav: 'Principal', logOut: 'Se déconnecter' };

// Every link of the main menu can be seen and clicked: at once in a wide window, behind the
// "Menu" button in a narrow one; and "Log out" is in view.
async function expectMenuReachable(page: Page, name: string, words = english): Promise<void> {
  const toggle = page.getByRole('button', { name: words.menu, exact: true });
  const links = page.getByRole('navigation', { name: words.nav }).getByRole('link');
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
  await expectInViewport(page, page.getByRole('button', { name: words.logOut }), `${name}: ${words.logOut}`);
  if (folded) {
    await page.keyboard.press('Escape');
    await links.first().focus();
    await page.keyboard.press('Escape');
    await expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await expect(toggle).toBeFocused();
  }
}

// A list's rows lie whole inside the window and inside their box: nothing of them is hidden
// sideways, neither past the page's edge nor in a table that scrolls (at 375 px they are cards).
async function expectWholeRows(page: Page, list: string, name: string): Promise<void> {
  const { overflow, outside, count } = await page.evaluate((list) => {
    const wrap = document.querySelector(list)!.closest('.table-wrap')!;
    const rows = [...document.querySelectorAll(`${list} tbody tr`)];
    const outside = rows
      .filter((row) => {
        const box = row.getBoundingClientRect();
        return box.left < -0.5 || box.right > window.innerWidth + 0.5;
      })
      .map((row) => row.id);
    return { overflow: wrap.scrollWidth - wrap.clientWidth, outside, count: rows.length };
  }, list);
  expect(count, `${name}: rows listed`).toBeGreaterThan(3);
  expect(overflow, `${name}: the list scrolls sideways inside its box`).toBeLessThanOrEqual(0);
  expect(outside, `${name}: rows past the window's edge`).toEqual([]);
}

// The element is shown and lies between the window's left and right edges (scrolled into view
// vertically only: expectWholeRows has checked that nothing scrolls sideways).
async function expectShownAcross(page: Page, locator: Locator, what: string): Promise<void> {
  await expect(locator, what).toBeVisible();
  await locator.scrollIntoViewIfNeeded();
  const box = (await locator.boundingBox())!;
  expect(box.x, `${what}: left edge`).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width, `${what}: right edge`).toBeLessThanOrEqual(page.viewportSize()!.width + 0.5);
}

// A window `width` px wide, in the light theme and `locale`'s language, on the login page.
async function openWindow(browser: Browser, width: number, locale = 'en-US'): Promise<Page> {
  const context = await browser.newContext({
    ignoreHTTPSErrors: true,
    baseURL: daemonUrl(),
    viewport: { width, height: 800 },
    colorScheme: 'light',
    locale,
  });
  const page = await context.newPage();
  await page.goto('/login/');
  return page;
}

// Runs `check` in the light theme, then the dark one (the window's colour scheme changes in
// place: the dark theme changes colours only, so the page is not opened again), back to light.
async function inBothThemes(page: Page, check: (theme: string) => Promise<void>): Promise<void> {
  for (const colorScheme of colorSchemes) {
    await page.emulateMedia({ colorScheme });
    await check(colorScheme);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

// One test per width, both themes in it: one login and one load of each page serve both.
for (const width of checkedWidths) {
  test(`accounts and groups: every row whole, a group's page in reach, ${width} px, light and dark`, async ({
    browser,
  }) => {
    test.setTimeout(90_000);
    const page = await openWindow(browser, width);
    await logInHere(page, 'admin', testPasswords.admin);
    await openSettled(page, '/accounts/');
    await inBothThemes(page, (theme) => expectWholeRows(page, '.accounts-table', `accounts at ${width} px, ${theme}`));
    // Each row shows the login (a link to the account), the full name, the roles in words and
    // whether the account may log in; its selection box is in reach and works.
    const bruno = page.locator('#account-blefevre');
    await expectShownAcross(page, bruno.getByRole('link', { name: 'blefevre' }), 'blefevre: login link');
    await expectShownAcross(page, bruno.getByText('Bruno Lefèvre'), 'blefevre: full name');
    await expectShownAcross(page, bruno.getByText('responsible of developers'), 'blefevre: role');
    await expect(bruno).not.toContainText(/rsp-|gst-/);
    // The marks, each on its filtered list: earlier journeys (the CSV import's) add hundreds of
    // accounts, which push these two past the first page.
    for (const [login, mark] of [
      ['ndupont', 'locked'],
      ['qrousseau', 'expired'],
    ] as const) {
      await openSettled(page, `/accounts/?q=${login}`);
      await expectShownAcross(page, page.locator(`#account-${login} .state .badge`), `${login}: ${mark} mark`);
      await expect(page.locator(`#account-${login} .state`)).toHaveText(mark);
    }
    await openSettled(page, '/accounts/');
    const box = bruno.getByRole('checkbox', { name: 'Select blefevre' });
    await expectShownAcross(page, box, 'blefevre: selection box');
    await box.check();
    await expect(page.locator('#accounts-selected-count')).toHaveText('1 selected');
    await expectShownAcross(page, page.getByRole('button', { name: 'Lock', exact: true }), 'bulk Lock');
    await box.uncheck();
    await inBothThemes(page, (theme) => expectNoSidewaysScroll(page, `accounts at ${width} px, ${theme}`));

    await openSettled(page, '/groups/');
    await inBothThemes(page, async (theme) => {
      await expectWholeRows(page, '.groups-table', `groups at ${width} px, ${theme}`);
      await expectNoSidewaysScroll(page, `groups at ${width} px, ${theme}`);
    });
    const developers = page.locator('#group-developers');
    await expectShownAcross(page, developers.getByRole('link', { name: 'developers' }), 'developers: name link');
    await expectShownAcross(page, developers.getByText('blefevre'), 'developers: its responsible');
    await expectShownAcross(page, developers.getByText('/home/groups/developers'), 'developers: its share');

    // A group's page: the suggestions as one types and what a deletion takes, in reach; a
    // protected group's reason instead of Delete.
    await openSettled(page, '/groups/teachers');
    const field = page.getByPlaceholder('Login to add');
    await field.pressSequentially('emilie');
    await expectShownAcross(page, page.getByRole('option', { name: /ebernard/ }), 'the suggestion Émilie Bernard');
    await field.press('Escape');
    await expectShownAcross(page, page.locator('#group-delete-summary'), 'teachers: what its deletion takes');
    await expectShownAcross(page, page.getByRole('button', { name: /^Delete teachers/ }), 'Delete teachers');
    await inBothThemes(page, (theme) => expectNoSidewaysScroll(page, `a group at ${width} px, ${theme}`));
    await openSettled(page, '/groups/admins');
    await expectShownAcross(page, page.locator('#group-delete-refusal'), 'admins: why it is not deleted');
    await expect(page.getByRole('button', { name: /^Delete / })).toHaveCount(0);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.context().close();
  });

  test(`every page fits a ${width}-px window, light and dark: no sideways scroll, menu and dialogs in reach`, async ({
    browser,
  }) => {
    test.setTimeout(120_000);
    const page = await openWindow(browser, width);
    await inBothThemes(page, (theme) => expectNoSidewaysScroll(page, `login, ${theme}`));
    await logInHere(page, 'admin', testPasswords.admin);
    // The top bar is the same on every page: its menu is checked whole on the dashboard, in both
    // themes; on every page, nothing scrolls sideways and "Log out" is in view.
    await openSettled(page, '/');
    await inBothThemes(page, (theme) => expectMenuReachable(page, `dashboard, ${theme}`));
    for (const [name, path] of Object.entries(adminPages)) {
      await openSettled(page, path);
      await inBothThemes(page, async (theme) => {
        await expectNoSidewaysScroll(page, `${name}, ${theme}`);
        await expectInViewport(page, page.getByRole('button', { name: 'Log out' }), `${name}, ${theme}: Log out`);
      });
    }
    // The New account dialog opens inside the window, whole, and its last button is reachable.
    await openSettled(page, '/accounts/');
    await page.getByRole('button', { name: 'New account' }).click();
    const dialog = page.getByRole('dialog', { name: 'New account' });
    await inBothThemes(page, async (theme) => {
      await expectInViewport(page, dialog, `New account dialog, ${theme}`);
      await dialog.getByRole('button', { name: 'Create account' }).scrollIntoViewIfNeeded();
      const create = dialog.getByRole('button', { name: 'Create account' });
      await expectInViewport(page, create, `Create account button, ${theme}`);
      await expectNoSidewaysScroll(page, `accounts with its dialog open, ${theme}`);
    });
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Log out' }).click();
    await expect(page).toHaveURL(/\/login\/$/);
    await page.context().close();
  });
}

// French words are longer (the top bar, the audit page's and an account's labels): every page
// in French fits a phone too.
test('every page in French fits a 375-px window: no sideways scroll, menu in reach', async ({ browser }) => {
  test.setTimeout(120_000);
  const page = await openWindow(browser, 375, 'fr-FR');
  await expectNoSidewaysScroll(page, 'login in French');
  await page.getByLabel('Identifiant').fill('admin');
  await page.getByLabel('Mot de passe').fill(testPasswords.admin);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  // The top bar is the same on every page: its menu is opened once; "Se déconnecter" is in
  // view on each.
  await openSettled(page, '/');
  await expectMenuReachable(page, 'dashboard in French', french);
  for (const [name, path] of Object.entries(adminPages)) {
    await openSettled(page, path);
    await expectNoSidewaysScroll(page, `${name} in French`);
    await expectInViewport(page, page.getByRole('button', { name: french.logOut }), `${name}: ${french.logOut}`);
  }
  await page.getByRole('button', { name: french.logOut }).click();
  await expect(page).toHaveURL(/\/login\/$/);
  await page.context().close();
});
