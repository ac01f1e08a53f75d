import { daemonUrl, expect, test } from './fixtures.ts';
import { openSettled } from './pages.ts';
import { testPasswords } from '../test/helpers/sandbox.ts';

// The pages the README shows, at a phone's and a laptop's width, in English and in French
// (the browser's language: Accept-Language, as a French school's admin's browser sends it).
const shots: Record<string, string> = {
  login: '/login/',
  accounts: '/accounts/',
  account: '/accounts/blefevre',
  groups: '/groups/',
  status: '/status/',
};
const sizes = [
  { width: 375, height: 812 },
  { width: 1280, height: 800 },
];

const languages = [
  { locale: 'en-GB', suffix: '' },
  { locale: 'fr-FR', suffix: '-fr' },
];

for (const { locale, suffix } of languages)
  for (const viewport of sizes) {
    test(`screenshots at ${viewport.width} px (${locale})`, async ({ browser }) => {
      test.setTimeout(120_000);
      const context = await browser.newContext({ ignoreHTTPSErrors: true, baseURL: daemonUrl(), viewport, locale });
      const page = await context.newPage();
      const path = (name: string) => `docs/screenshots/${name}-${viewport.width}${suffix}.png`;
      await page.goto(shots.login!);
      await page.screenshot({ path: path('login') });
      // By the fields' names: their labels are in the page's language.
      await page.locator('#login').fill('admin');
      await page.locator('#password').fill(testPasswords.admin);
      await page.locator('form button[type="submit"]').click();
      await page.waitForURL((url) => !url.pathname.startsWith('/login'));
      for (const [name, url] of Object.entries(shots)) {
        if (name === 'login') continue;
        await openSettled(page, url);
        // The charts drawn from their history and a few live samples.
        if (name === 'status') {
          await expect(page.locator('.chart svg .series-0 path').first()).toBeAttached();
          // A picture, not a test: half a minute of samples reads better than the first one.
          await page.waitForTimeout(30_000);
        }
        await page.screenshot({ path: path(name) });
      }
      await context.close();
    });
  }
