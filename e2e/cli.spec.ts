import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, logInAs, logOutAndClose, test } from './fixtures.ts';
import { testPasswords } from '../test/helpers/sandbox.ts';

const run = promisify(execFile);
const licorn = (...args: string[]) =>
  run(process.execPath, [
    join(import.meta.dirname, '../bin/licorn.js'),
    '--socket',
    process.env.LICORN_E2E_SOCKET!,
    ...args,
  ]);

test('`licorn add user` in a shell shows its row in an open accounts page; `licorn del user` removes it', async ({
  browser,
}) => {
  const page = await logInAs(browser, 'admin', testPasswords.admin);
  await page.goto('/accounts/');
  await expect(page.locator('#connection-state')).toHaveAttribute('data-state', 'live');
  const navigations: string[] = [];
  page.on('framenavigated', (frame) => navigations.push(frame.url()));

  const added = await licorn('add', 'user', 'clifaure', '--full-name', 'Clé Faure', '--groups', 'developers', '--json');
  expect(JSON.parse(added.stdout).account.login).toBe('clifaure');
  const row = page.locator('#account-clifaure');
  await expect(row).toContainText('Clé Faure');
  await expect(row).toContainText('developers');

  await licorn('del', 'user', 'clifaure', '--remove-home');
  await expect(row).toHaveCount(0);
  expect(navigations).toEqual([]);
  await logOutAndClose(page);
});
