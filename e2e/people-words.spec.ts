import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, logInAs, logOutAndClose, test } from './fixtures.ts';
import { testPasswords } from '../test/helpers/sandbox.ts';

// What an admin reads, as a person would: roles rather than helper groups, accounts that may
// not log in marked, suggestions when adding someone to a group, deletions that say what they
// do, messages in words, field labels, and an audit log to search.

// Calls the JSON API from the page, with its CSRF token, as the page's scripts do.
async function callFromPage(page: Page, method: string, url: string, body?: object): Promise<number> {
  return page.evaluate(
    async ([method, url, body]) => {
      const csrf = document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')!.content;
      const headers: Record<string, string> = { 'x-csrf-token': csrf };
      if (body) headers['content-type'] = 'application/json';
      const answer = await fetch(url as string, {
        method: method as string,
        headers,
        body: body ? JSON.stringify(body) : null,
      });
      return answer.status;
    },
    [method, url, body] as const,
  );
}

test('the accounts list and card show roles, and mark locked and expired accounts', async ({ browser }) => {
  const page = await logInAs(browser, 'admin', testPasswords.admin);
  await page.goto('/accounts/?q=lefevre');
  const row = page.locator('#account-blefevre');
  await expect(row.locator('td.groups')).toContainText('responsible of developers');
  await expect(row.locator('td.groups')).toContainText('member of direction');
  await expect(row).not.toContainText(/rsp-|gst-/);

  await page.goto('/accounts/?q=rousseau');
  await expect(page.locator('#account-qrousseau')).toHaveClass(/is-expired/);
  await expect(page.locator('#account-qrousseau td.state')).toHaveText('expired');
  await page.goto('/accounts/?q=dupont');
  await expect(page.locator('#account-ndupont td.state')).toHaveText('locked');
  await page.goto('/accounts/?q=ghenry');
  await expect(page.locator('#account-ghenry td.state')).toHaveText('active');
  await expect(page.locator('#account-ghenry td.groups')).toHaveText('guest of developers');

  await page.goto('/accounts/qrousseau');
  await expect(page.locator('#account-facts-qrousseau .state')).toContainText('expired');
  await page.goto('/accounts/blefevre');
  await expect(page.locator('#account-facts-blefevre')).toContainText('responsible of developers');
  await expect(page.locator('#account-facts-blefevre')).not.toContainText('rsp-');
  await logOutAndClose(page);
});

test('deleting an account offers to keep its home, and keeps it; the bulk bar offers it too', async ({ browser }) => {
  const page = await logInAs(browser, 'admin', testPasswords.admin);
  await page.goto('/accounts/');
  await expect(page.locator('#bulk-home option[value="keep"]')).toHaveText('keep them');
  expect(await callFromPage(page, 'POST', '/api/v1/accounts', { login: 'e2ekeep', password: null })).toBe(201);
  await page.goto('/accounts/e2ekeep');
  await page.getByRole('radio', { name: /Keep it where it is/ }).check();
  let said = '';
  page.once('dialog', (dialog) => {
    said = dialog.message();
    void dialog.accept();
  });
  await page.getByRole('button', { name: /^Delete e2ekeep/ }).click();
  await expect(page.locator('#account-status')).toContainText('Its home /home/e2ekeep was kept.');
  expect(said).toContain('Its home /home/e2ekeep will be kept where it is');
  expect((await stat(join(process.env.LICORN_E2E_ROOT!, 'home/e2ekeep'))).isDirectory()).toBe(true);
  await logOutAndClose(page);
});

test("a group's page suggests accounts as one types, names what a deletion takes, and protects its own", async ({
  browser,
}) => {
  const page = await logInAs(browser, 'admin', testPasswords.admin);
  await page.goto('/groups/teachers');
  await expect(page.locator('#connection-state')).toHaveAttribute('data-state', 'live');
  const field = page.getByPlaceholder('Login to add');
  // "emilie" finds Émilie Bernard: accents ignored, by full name.
  await field.pressSequentially('emilie');
  const option = page.getByRole('option', { name: /ebernard/ });
  await expect(option).toContainText('Émilie Bernard');
  await expect(field).toHaveAttribute('aria-expanded', 'true');
  await field.press('ArrowDown');
  await field.press('Enter');
  await expect(field).toHaveValue('ebernard');
  await expect(page.getByRole('listbox')).toBeHidden();
  await page.getByLabel('Role', { exact: true }).selectOption('guest');
  await page.getByRole('button', { name: 'Add' }).click();
  await expect(page.getByLabel('ebernard is guest')).toBeChecked();
  // The deletion's confirmation names the accounts, ebernard now among them, and the share.
  let said = '';
  page.once('dialog', (dialog) => {
    said = dialog.message();
    void dialog.dismiss();
  });
  await expect(page.locator('#group-delete-summary')).toContainText('ebernard');
  await page.getByRole('button', { name: /^Delete teachers/ }).click();
  await expect.poll(() => said).toMatch(/^Delete the group teachers\? Its \d+ accounts \(/);
  expect(said).toContain('Its shared directory /home/groups/teachers');
  // Taken out again: the row goes (the list is pushed again without it).
  await page.getByLabel('ebernard has no role').click();
  await expect(page.getByLabel('ebernard is guest')).toHaveCount(0);

  for (const name of ['admins', 'users', 'rsp-developers']) {
    await page.goto(`/groups/${name}`);
    await expect(page.getByRole('button', { name: /^Delete / })).toHaveCount(0);
    await expect(page.locator('#group-delete-refusal')).toBeVisible();
  }
  await logOutAndClose(page);
});

test('refusals say what is wrong in words, and the CSV picker shows field labels', async ({ browser }) => {
  const page = await logInAs(browser, 'admin', testPasswords.admin);
  await page.goto('/groups/');
  await page.getByLabel('Name').fill('Bad Name');
  await page.getByRole('button', { name: 'Create group' }).click();
  const error = page.locator('[data-error-for="name"]');
  await expect(error).toContainText('The group name "Bad Name" is not valid (it has capital letters)');
  await expect(error).not.toContainText('^[');
  await page.getByLabel('Name').fill('developers');
  await page.getByRole('button', { name: 'Create group' }).click();
  await expect(error).toHaveText('The group developers already exists');

  await page.goto('/accounts/-/import');
  await page.locator('#import-text').fill('Identifiant,Nom,Groupe principal\nlabelone,Label One,users\n');
  const nameColumn = page.getByLabel('Field of column Nom');
  await expect(nameColumn).toHaveValue('fullName');
  await expect(nameColumn.locator('option:checked')).toHaveText('Full name');
  await expect(page.getByLabel('Field of column Identifiant').locator('option:checked')).toHaveText('Login');
  await expect(nameColumn.locator('option')).not.toContainText(['fullName']);
  await logOutAndClose(page);
});

test('the Audit page filters by who, action, target and date, and says what changed', async ({ browser }) => {
  const page = await logInAs(browser, 'admin', testPasswords.admin);
  await page.goto('/groups/');
  expect(await callFromPage(page, 'PUT', '/api/v1/groups/students/roles/cmartin', { role: 'guest' })).toBe(200);
  expect(await callFromPage(page, 'PUT', '/api/v1/groups/students/roles/cmartin', { role: 'none' })).toBe(200);
  await page.goto('/audit/');
  await page.getByLabel('Action', { exact: true }).fill('group-role');
  await page.getByLabel('On', { exact: true }).fill('students/cmartin');
  await page.getByLabel('Who', { exact: true }).fill('admin');
  const today = new Date().toISOString().slice(0, 10);
  await page.getByLabel('From', { exact: true }).fill(today);
  await page.getByLabel('To', { exact: true }).fill(today);
  await page.getByRole('button', { name: 'Filter' }).click();
  const entries = page.locator('#audit-entries tr');
  await expect(entries).toHaveCount(2);
  await expect(entries.nth(0)).toContainText('cmartin: no role in students');
  await expect(entries.nth(1)).toContainText('cmartin: guest of students');
  await expect(page.locator('#audit-summary')).toContainText('2 entries matching');
  await page.getByLabel('From', { exact: true }).fill('2001-01-01');
  await page.getByLabel('To', { exact: true }).fill('2001-01-02');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.locator('#audit-summary')).toHaveText('No entry matches.');
  await page.getByRole('link', { name: 'Show all' }).click();
  await expect(page.locator('#connection-state')).toHaveAttribute('data-state', 'live');
  await logOutAndClose(page);
});
