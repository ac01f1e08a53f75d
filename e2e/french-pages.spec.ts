import type { Browser, Page } from '@playwright/test';
import { findPieces, getEnglishOnlyPieces } from '../test/helpers/english-words.ts';
import { testPasswords } from '../test/helpers/sandbox.ts';
import { daemonUrl, expect, test } from './fixtures.ts';

// Issue 17, French: every page in French for a French browser and for an account that chose
// French on My account (whatever its browser says), with no English sentence of the
// catalogues shown, the core's sentences included (refusals, a volume's reasons, a deletion's
// plan: said in the page's language). Data (translate="no") aside.
const pages = [
  '/',
  '/accounts/',
  '/accounts/blefevre',
  '/accounts/-/import',
  '/groups/',
  '/groups/developers',
  '/volumes/',
  '/status/',
  '/audit/',
  '/events/',
  '/terminal/',
  '/me/',
];
const englishPieces = [
  ...getEnglishOnlyPieces('pages'),
  ...getEnglishOnlyPieces('browser'),
  ...getEnglishOnlyPieces('core'),
];

// Each journey walks eleven pages, each waiting for its push socket: more than one page's time.
test.describe.configure({ timeout: 180_000 });

// The words a person sees on the page now: visible text nodes and spoken attributes, without
// data (translate="no").
function getShownText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const skipped = '[translate="no"], script, style, template';
    const parts: string[] = [document.title];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || parent.closest(skipped) || !parent.checkVisibility()) continue;
      parts.push(node.textContent ?? '');
    }
    for (const element of document.querySelectorAll('[title], [placeholder], [aria-label], [alt]')) {
      if (element.closest(skipped)) continue;
      for (const name of ['title', 'placeholder', 'aria-label', 'alt']) parts.push(element.getAttribute(name) ?? '');
    }
    return parts.join('\n');
  });
}

// Opens each page and checks it is French through and through (every page's English listed).
async function checkPagesInFrench(page: Page): Promise<void> {
  const english: Record<string, string[]> = {};
  for (const url of pages) {
    await page.goto(url);
    await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
    await expect(page.locator('#main')).toBeVisible();
    // The top bar's longer French words wrap, never pushing "Se déconnecter" off the window.
    await expect(page.locator('.logout button')).toBeInViewport({ ratio: 1 });
    // The live parts first (the push socket's snapshots, the charts' first samples).
    await expect(page.locator('#connection-state[data-state="connecting"]')).toHaveCount(0, { timeout: 10_000 });
    const found = findPieces(await getShownText(page), englishPieces);
    if (found.length > 0) english[url] = found;
  }
  expect(english).toEqual({});
}

// Opens the login page in a new context whose browser says `locale`.
async function openLoginPage(browser: Browser, locale: string): Promise<Page> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, baseURL: daemonUrl(), locale });
  const page = await context.newPage();
  await page.goto('/');
  return page;
}

test('a French browser gets every page in French, the login form first', async ({ browser }) => {
  const page = await openLoginPage(browser, 'fr-FR');
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
  expect(findPieces(await getShownText(page), englishPieces)).toEqual([]);
  await page.getByLabel('Identifiant').fill('admin');
  await page.getByLabel('Mot de passe').fill(testPasswords.admin);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page.getByRole('button', { name: 'Se déconnecter' })).toBeVisible();
  await checkPagesInFrench(page);
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await expect(page).toHaveURL(/\/login\/$/);
  await page.context().close();
});

test('an account that chose French on My account reads French in an English browser', async ({ browser }) => {
  const page = await openLoginPage(browser, 'en-US');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.getByLabel('Login').fill('admin');
  await page.getByLabel('Password').fill(testPasswords.admin);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.goto('/me/');
  try {
    await page.getByLabel('Language of the pages').selectOption('fr');
    await page.getByRole('button', { name: 'Save language' }).click();
    await expect(page.getByText('Votre langue a été enregistrée')).toBeVisible();
    await checkPagesInFrench(page);
  } finally {
    // Back to "as my browser says": the other journeys read admin's pages in English.
    await page.goto('/me/');
    await page.locator('#language').selectOption('browser');
    await page.locator('form[action="/me/language"] button[type="submit"]').click();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  }
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.context().close();
});
