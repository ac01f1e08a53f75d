import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, logInAs, logOutAndClose, test } from './fixtures.ts';
import { testPasswords } from '../test/helpers/sandbox.ts';

const run = promisify(execFile);
const demoRoot = () => process.env.LICORN_E2E_ROOT!;

test("an account created through the dialog appears in a second admin's open page without reload", async ({
  browser,
}) => {
  const first = await logInAs(browser, 'admin', testPasswords.admin);
  const second = await logInAs(browser, 'blefevre', testPasswords.blefevre);
  await second.goto('/accounts/');
  await expect(second.locator('#connection-state')).toHaveAttribute('data-state', 'live');
  const navigations: string[] = [];
  second.on('framenavigated', (frame) => navigations.push(frame.url()));

  await first.goto('/accounts/');
  await first.getByRole('button', { name: 'New account' }).click();
  const dialog = first.getByRole('dialog', { name: 'New account' });
  await dialog.getByLabel('Full name').fill('Zoé Faure-Öberg');
  await expect(dialog.getByLabel('Login')).toHaveValue('zoe.faure.oberg');
  // A bad login shows its error next to the field, from the server, while typing.
  await dialog.getByLabel('Login').fill('Bad:Login');
  await expect(dialog.locator('[data-error-for="login"]')).toContainText('Bad:Login');
  await dialog.getByLabel('Login').fill('zfaure');
  await expect(dialog.locator('[data-error-for="login"]')).toHaveText('');
  await dialog.getByLabel('Role in developers').selectOption('member');
  // Mismatched passwords are refused, and nothing typed is lost.
  await dialog.getByLabel('Password', { exact: true }).fill('Zoe-pass-1234');
  await dialog.getByLabel('Password again').fill('Zoe-pass-9999');
  await dialog.getByRole('button', { name: 'Create account' }).click();
  await expect(dialog.locator('[data-error-for="password2"]')).toHaveText('The two passwords differ');
  await expect(dialog.getByLabel('Full name')).toHaveValue('Zoé Faure-Öberg');
  await dialog.getByLabel('Password again').fill('Zoe-pass-1234');
  await dialog.getByRole('button', { name: 'Create account' }).click();
  await expect(dialog.getByText('The account zfaure was created.')).toBeVisible();
  await dialog.getByRole('button', { name: 'Close' }).click();

  const row = second.locator('#account-zfaure');
  await expect(row).toBeVisible();
  await expect(row).toContainText('Zoé Faure-Öberg');
  await expect(row).toContainText('developers');
  await expect(second.locator('#accounts-counts')).toContainText('accounts');
  expect(navigations).toEqual([]);
  await logOutAndClose(first);
  await logOutAndClose(second);
});

test('a useradd in a shell makes its row appear in an open page', async ({ browser }) => {
  const page = await logInAs(browser, 'admin', testPasswords.admin);
  await page.goto('/accounts/');
  await expect(page.locator('#connection-state')).toHaveAttribute('data-state', 'live');
  await run('useradd', ['--prefix', demoRoot(), '-M', '-c', 'Shell Person', 'shellperson']);
  await expect(page.locator('#account-shellperson')).toContainText('Shell Person');
  await run('userdel', ['--prefix', demoRoot(), 'shellperson']);
  await expect(page.locator('#account-shellperson')).toHaveCount(0);
  await logOutAndClose(page);
});

test('filtering, sorting and the system toggle', async ({ browser }) => {
  const page = await logInAs(browser, 'admin', testPasswords.admin);
  await page.goto('/accounts/');
  await expect(page.locator('#account-root')).toHaveCount(0);
  await page.getByLabel('Show system accounts').check();
  await expect(page.locator('#account-root')).toBeVisible();
  await page.getByLabel('Filter accounts').fill('lefevre');
  await expect(page.locator('#account-rows tr')).toHaveCount(1);
  await expect(page.locator('#account-blefevre')).toBeVisible();
  await expect(page).toHaveURL(/q=lefevre/);
  await page.getByLabel('Filter accounts').fill('');
  await page.getByRole('link', { name: 'UID' }).click();
  await page.getByRole('link', { name: 'UID' }).click();
  await expect(page.locator('th[aria-sort="descending"]')).toHaveText('UID');
  await expect(page.locator('#account-rows tr').first()).toHaveId('account-nobody');
  await logOutAndClose(page);
});

test('edit the full name and groups, lock, then delete with the home archived', async ({ browser }) => {
  // An account of its own (other specs log in as the demo's people), with a home to archive.
  // (-p '*': no password, yet not locked; without it useradd leaves "!", which is locked.)
  await run('useradd', ['--prefix', demoRoot(), '-m', '-p', '*', '-c', 'David Nguyen', 'dnguyen2']);
  const page = await logInAs(browser, 'admin', testPasswords.admin);
  await page.goto('/accounts/?q=dnguyen2');
  await page.getByRole('link', { name: 'dnguyen2' }).click();
  await expect(page).toHaveURL(/\/accounts\/dnguyen2$/);
  await expect(page.locator('#connection-state')).toHaveAttribute('data-state', 'live');

  await page.getByLabel(/^Full name/).fill('David Nguyễn');
  await page.getByLabel(/^Full name/).press('Tab');
  await expect(page.locator('[data-state-for="fullName"]')).toHaveText('Saved');
  await expect(page.locator('#account-facts-dnguyen2')).toContainText('David Nguyễn');

  await page.getByLabel('responsible of support').check();
  await expect(page.locator('[data-state-for="groups"]')).toHaveText('Saved');
  // The card says the role, never the helper group that holds it.
  await expect(page.locator('#account-facts-dnguyen2')).toContainText('responsible of support');
  await expect(page.locator('#account-facts-dnguyen2')).not.toContainText('rsp-support');

  await page.getByRole('button', { name: 'Lock', exact: true }).click();
  await expect(page.locator('#account-facts-dnguyen2')).toContainText('locked');
  await expect(page.getByRole('button', { name: 'Unlock' })).toBeVisible();

  page.once('dialog', (dialog) => {
    expect(dialog.message()).toContain('archived');
    void dialog.accept();
  });
  await page.getByRole('button', { name: 'Delete dnguyen2' }).click();
  await expect(page.locator('#account-status')).toContainText('archived to');
  const archives = await readdir(join(demoRoot(), 'home/archives'));
  expect(archives.some((name) => name.startsWith('dnguyen2.deleted.'))).toBe(true);
  await logOutAndClose(page);
});

test('two admins editing the same field: the second one gets a conflict notice, not a silent overwrite', async ({
  browser,
}) => {
  const first = await logInAs(browser, 'admin', testPasswords.admin);
  const second = await logInAs(browser, 'blefevre', testPasswords.blefevre);
  await first.goto('/accounts/cmartin');
  await second.goto('/accounts/cmartin');
  await expect(second.locator('#connection-state')).toHaveAttribute('data-state', 'live');
  // The second admin starts typing; the first saves a different name meanwhile.
  await second.getByLabel(/^Full name/).fill('Chloé Martin-Second');
  await first.getByLabel(/^Full name/).fill('Chloé Martin-First');
  await first.getByLabel(/^Full name/).press('Tab');
  await expect(first.locator('[data-state-for="fullName"]')).toHaveText('Saved');
  const notice = second.locator('.conflict-notice');
  await expect(notice).toContainText('Chloé Martin-First');
  await expect(second.getByLabel(/^Full name/)).toHaveValue('Chloé Martin-Second');
  await notice.getByRole('button', { name: 'Save mine' }).click();
  await expect(second.locator('[data-state-for="fullName"]')).toHaveText('Saved');
  await expect(first.getByLabel(/^Full name/)).toHaveValue('Chloé Martin-Second');
  await logOutAndClose(first);
  await logOutAndClose(second);
});

test('bulk-lock three accounts', async ({ browser }) => {
  const logins = ['bulk1', 'bulk2', 'bulk3'];
  for (const login of logins) await run('useradd', ['--prefix', demoRoot(), '-M', login]);
  const page = await logInAs(browser, 'admin', testPasswords.admin);
  await page.goto('/accounts/?q=bulk');
  await expect(page.locator('#account-rows tr')).toHaveCount(3);
  for (const login of logins) await page.getByLabel(`Select ${login}`).check();
  await expect(page.locator('#accounts-selected-count')).toHaveText('3 selected');
  await page.locator('#accounts-bulk').getByRole('button', { name: 'Lock', exact: true }).click();
  for (const login of logins) await expect(page.locator(`#account-${login}`)).toHaveClass(/is-locked/);
  await page.screenshot({ path: 'test-results/e2e/accounts.png', fullPage: true });
  await logOutAndClose(page);
});

test('import a 500-row CSV with 2 bad rows: the dry run lists both, then the rest is imported with progress', async ({
  browser,
}) => {
  const page = await logInAs(browser, 'admin', testPasswords.admin);
  await page.goto('/accounts/-/import');
  await expect(page.locator('#connection-state')).toHaveAttribute('data-state', 'live');
  const lines = ['Identifiant,Nom,Groupes'];
  for (let i = 0; i < 500; i += 1) lines.push(`imp${i},Imported Person ${i},developers`);
  lines[101] = 'bad:login,Bad Login,developers';
  lines[301] = 'imp300,Bad Group,no-such-group';
  const accountsBefore = Number(await page.locator('#accounts-summary dd').first().textContent());
  await page
    .locator('#import-file')
    .setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n') + '\n') });
  await expect(page.getByLabel('Field of column Identifiant')).toHaveValue('login');
  await expect(page.getByLabel('Field of column Nom')).toHaveValue('fullName');
  await expect(page.getByLabel('Field of column Groupes')).toHaveValue('groups');

  await page.getByRole('button', { name: 'Check (dry run)' }).click();
  await expect(page.locator('#import-summary')).toHaveText('2 of 500 rows have problems: fix the file, or skip them.');
  const problems = page.locator('#import-problems tr');
  await expect(problems).toHaveCount(2);
  await expect(problems.nth(0)).toContainText('101');
  await expect(problems.nth(0)).toContainText('bad:login');
  await expect(problems.nth(1)).toContainText('301');
  await expect(problems.nth(1)).toContainText('no-such-group');
  await expect(page.getByRole('button', { name: 'Import', exact: true })).toBeDisabled();

  await page.getByLabel('Skip the rows with problems').check();
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.locator('#import-summary')).toHaveText('Imported 498 accounts; 2 rows skipped.', {
    timeout: 20_000,
  });
  // The homes are made before the files are written (all or nothing): writing comes last.
  await expect(page.locator('#import-phase')).toHaveText('writing the files: 1 of 1');
  // The counts card follows the import live.
  await expect(page.locator('#accounts-summary dd').first()).toHaveText(String(accountsBefore + 498));
  await page.goto('/accounts/?q=imp499');
  await expect(page.locator('#account-imp499')).toContainText('Imported Person 499');
  await logOutAndClose(page);
});

test('the page of a restricted account offers no action the server would refuse', async ({ browser }) => {
  const page = await logInAs(browser, 'admin', testPasswords.admin);
  await page.goto('/accounts/root');
  await expect(page.locator('#account-refused')).toContainText('restricted account');
  await expect(page.getByRole('button', { name: 'Delete root' })).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Lock', exact: true })).toBeDisabled();
  await expect(page.getByLabel(/^Full name/)).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Set password' })).toBeDisabled();
  await logOutAndClose(page);
});
