import { daemonUrl, expect, test } from './fixtures.ts';

// Issue 17: someone who types http:// before the address (or follows an old bookmark) reaches
// the https page, as with Cockpit, instead of an empty reply.
test('plain HTTP on the HTTPS port leads the browser to the same address in https', async ({ browser }) => {
  const https = new URL(daemonUrl());
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await page.goto(`http://${https.host}/accounts/?q=al%C3%A9`);
  // Over https now; not logged in, so on to the login form, which remembers where it was going.
  await expect(page).toHaveURL(`https://${https.host}/login/?next=%2Faccounts%2F%3Fq%3Dal%25C3%25A9`);
  await expect(page.getByRole('button', { name: 'Log in' })).toBeVisible();
  await context.close();
});
