import { expect, logInAs, test } from './fixtures.ts';
import { testPasswords } from '../test/helpers/sandbox.ts';

test('two admins see each other log in and out live', async ({ browser }) => {
  const first = await logInAs(browser, 'admin', testPasswords.admin);
  await expect(first.getByRole('heading', { name: 'Logged in to this interface' })).toBeVisible();
  await expect(first.locator('#connection-state')).toHaveAttribute('data-state', 'live');
  await expect(first.locator('#sessions tr', { hasText: 'blefevre' })).toHaveCount(0);

  const second = await logInAs(browser, 'blefevre', testPasswords.blefevre);
  await expect(second.locator('#sessions tr', { hasText: 'Demo Administrator' })).toBeVisible();
  await expect(second.locator('#connection-state')).toHaveAttribute('data-state', 'live');

  // The first page never reloads: the row arrives through the push channel.
  const navigations: string[] = [];
  first.on('framenavigated', (frame) => navigations.push(frame.url()));
  await expect(first.locator('#sessions tr', { hasText: 'Bruno Lefèvre' })).toBeVisible();

  await second.getByRole('button', { name: 'Log out' }).click();
  await expect(second).toHaveURL(/\/login\/$/);
  await expect(first.locator('#sessions tr', { hasText: 'Bruno Lefèvre' })).toHaveCount(0);
  expect(navigations).toEqual([]);

  await first.screenshot({ path: 'test-results/e2e/dashboard.png', fullPage: true });
  await first.context().close();
  await second.context().close();
});
