import { expect, logInAs, logOutAndClose, test } from './fixtures.ts';
import { testPasswords } from '../test/helpers/sandbox.ts';

test('create a group, give it a responsible and a guest from its page, see it live elsewhere, delete it', async ({
  browser,
}) => {
  const first = await logInAs(browser, 'admin', testPasswords.admin);
  const second = await logInAs(browser, 'blefevre', testPasswords.blefevre);
  await second.goto('/groups/');
  await expect(second.locator('#connection-state')).toHaveAttribute('data-state', 'live');

  await first.goto('/groups/');
  await first.getByLabel('Name').fill('Bad Name');
  await first.getByRole('button', { name: 'Create group' }).click();
  await expect(first.locator('[data-error-for="name"]')).toContainText('Bad Name');
  await first.getByLabel('Name').fill('designers');
  await first.getByLabel('Description').fill('The design team');
  await first.getByRole('button', { name: 'Create group' }).click();
  await expect(second.locator('#group-designers')).toContainText('The design team');
  await expect(second.locator('#group-designers')).toContainText('/home/groups/designers');
  await expect(second.locator('#group-designers td').last()).toHaveText('no');

  await second.getByRole('link', { name: 'designers' }).click();
  await expect(second.locator('#connection-state')).toHaveAttribute('data-state', 'live');
  await first.goto('/groups/designers');
  await first.getByPlaceholder('Login to add').fill('cclement');
  await first.getByLabel('Role', { exact: true }).selectOption('responsible');
  await first.getByRole('button', { name: 'Add' }).click();
  await expect(first.getByLabel('cclement is responsible')).toBeChecked();
  await first.getByPlaceholder('Login to add').fill('dmorin');
  await first.getByLabel('Role', { exact: true }).selectOption('guest');
  await first.getByRole('button', { name: 'Add' }).click();
  // The other admin's open page follows, without reload.
  await expect(second.getByLabel('dmorin is guest')).toBeChecked();
  await expect(second.getByLabel('cclement is responsible')).toBeChecked();
  await second.getByLabel('dmorin is member').check();
  await expect(first.getByLabel('dmorin is member')).toBeChecked();
  // A login typed while the one before is being saved stays in the field (it was cleared
  // under the admin's fingers when the answer came).
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  const ebernardRole = '**/api/v1/groups/designers/roles/ebernard';
  await first.route(ebernardRole, async (route) => {
    await held;
    await route.continue();
  });
  await first.getByPlaceholder('Login to add').fill('ebernard');
  await first.getByRole('button', { name: 'Add' }).click();
  await expect(first.locator('[data-state-for="members"]')).not.toHaveText('Saved');
  await first.getByPlaceholder('Login to add').fill('blefevre');
  release();
  await expect(first.getByLabel('ebernard is member')).toBeChecked();
  await expect(first.locator('[data-state-for="members"]')).toHaveText('Saved');
  await expect(first.getByPlaceholder('Login to add')).toHaveValue('blefevre');
  await first.unroute(ebernardRole);
  await first.getByPlaceholder('Login to add').fill('nobody-at-all');
  await first.getByRole('button', { name: 'Add' }).click();
  await expect(first.locator('[data-error-for="members"]')).toContainText('nobody-at-all');

  await first.getByLabel(/^Description/).fill('Designers and illustrators');
  await first.getByLabel(/^Description/).press('Tab');
  await expect(first.locator('[data-state-for="description"]')).toHaveText('Saved');
  await expect(second.getByLabel(/^Description/)).toHaveValue('Designers and illustrators');

  // Permissive sets the share's ACL again; the other page follows.
  await expect(first.locator('#group-facts-designers')).toContainText('no: members change their own files');
  await first.getByRole('checkbox', { name: /Permissive/ }).check();
  await expect(first.locator('[data-state-for="permissive"]')).toHaveText('Saved');
  await expect(second.getByRole('checkbox', { name: /Permissive/ })).toBeChecked();
  await expect(second.locator('#group-facts-designers')).toContainText('yes: members change every file');
  // The share's files follow in the background: both pages see the repair end.
  await expect(first.locator('#group-share-phase')).toContainText('Repaired:');
  await expect(second.locator('#group-share-phase')).toContainText('Repaired:');
  await first.getByRole('button', { name: 'Repair the rights of every file' }).click();
  await expect(first.locator('[data-state-for="share"]')).toHaveText('Saved');
  await expect(first.locator('#group-share-running')).toBeHidden();

  first.once('dialog', (dialog) => void dialog.accept());
  await first.getByRole('button', { name: 'Delete designers' }).click();
  await expect(first.locator('#group-status')).toContainText('archived to');
  await expect(second.locator('#group-status')).toContainText('deleted elsewhere');
  await logOutAndClose(first);
  await logOutAndClose(second);
});

test("a protected group's page offers no delete nor rename, and says the core's reasons", async ({ browser }) => {
  const page = await logInAs(browser, 'admin', testPasswords.admin);
  await page.goto('/groups/admins');
  await expect(page.getByRole('button', { name: 'Delete admins' })).toHaveCount(0);
  await expect(page.locator('[data-group-form="delete"]')).toContainText(
    'The group "admins" is protected and cannot be deleted',
  );
  const refused: [name: string, reason: string][] = [
    ['acl', `The group "acl" is protected and cannot be renamed: it owns every group's shared directory.`],
    ['systemd-network', 'The group "systemd-network" is a system group (GID 998), which packages and services'],
    ['gst-developers', 'The group "gst-developers" holds the guests of the group developers: rename developers'],
  ];
  for (const [name, reason] of refused) {
    await page.goto(`/groups/${name}`);
    await expect(page.locator('#group-rename-refusal')).toContainText(reason);
    await expect(page.getByRole('button', { name: 'Rename' })).toHaveCount(0);
    await expect(page.getByLabel('Rename to')).toHaveCount(0);
  }
  // An ordinary group's page still offers it.
  await page.goto('/groups/developers');
  await expect(page.getByRole('button', { name: 'Rename' })).toBeVisible();
  await expect(page.locator('#group-rename-refusal')).toHaveCount(0);
  await logOutAndClose(page);
});
