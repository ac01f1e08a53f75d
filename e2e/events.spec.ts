import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Page } from '@playwright/test';
import { expect, logInAs, logOutAndClose, test } from './fixtures.ts';
import { testPasswords } from '../test/helpers/sandbox.ts';

const run = promisify(execFile);
const demoRoot = () => process.env.LICORN_E2E_ROOT!;
const addAccount = (login: string) => run('useradd', ['--prefix', demoRoot(), '-M', '-c', 'Events Person', login]);
const removeAccount = (login: string) => run('userdel', ['--prefix', demoRoot(), login]);

// The Events page as an admin lives it: what happens on the machine shows as rows, live,
// through a filter typed in Licorn's syntax; pausing holds rows; older ones load on demand.
test.describe('events', () => {
  const cleanups: (() => Promise<void>)[] = [];
  test.afterAll(async () => {
    test.setTimeout(180_000);
    for (const cleanup of cleanups) await cleanup();
  });
  const openEvents = async (page: Page, query = '') => {
    await page.goto(`/events/${query}`);
    await expect(page.locator('#connection-state')).toHaveAttribute('data-state', 'live');
  };
  const rowOf = (page: Page, login: string) =>
    page.locator('#events-rows .event-row[data-facility="accounts"]', { hasText: login });

  test('an account added in a shell shows as a row, live', async ({ browser }) => {
    const page = await logInAs(browser, 'admin', testPasswords.admin);
    await openEvents(page);
    await expect(page.getByRole('link', { name: 'Events' })).toHaveAttribute('aria-current', 'page');
    await addAccount('evshell');
    const row = rowOf(page, 'evshell');
    await expect(row).toContainText('account-added');
    await expect(row).toHaveAttribute('id', /^event-\d+$/);
    await removeAccount('evshell');
    await expect(page.locator('#events-rows .event-row', { hasText: 'account-removed' }).last()).toContainText(
      'evshell',
    );
    await logOutAndClose(page);
  });

  test('a filter accounts^status typed in the field keeps the add and no status row', async ({ browser }) => {
    const page = await logInAs(browser, 'admin', testPasswords.admin);
    const everything = await page.context().newPage();
    await openEvents(everything);
    await openEvents(page);
    await page.getByLabel('Filter').fill('accounts^status');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect(page).toHaveURL(/\/events\/\?filter=accounts%5Estatus$/);
    await expect(page.locator('#connection-state')).toHaveAttribute('data-state', 'live');
    await expect(page.getByLabel('Filter')).toHaveValue('accounts^status');
    // The Status page starts sampling: a status event, which the unfiltered page shows.
    const status = await page.context().newPage();
    await status.goto('/status/');
    await expect(everything.locator('#events-rows .event-row[data-facility="status"]').last()).toContainText(
      'status-sampling',
    );
    await addAccount('evfiltered');
    await expect(rowOf(page, 'evfiltered')).toContainText('account-added');
    await expect(page.locator('#events-rows .event-row[data-facility="status"]')).toHaveCount(0);
    // A bad name is refused beside the field, naming the valid ones.
    await page.getByLabel('Filter').fill('accounts|nope');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect(page.locator('#events-filter-error')).toContainText('"nope" is not a facility; valid names are');
    await removeAccount('evfiltered');
    await status.close();
    await everything.close();
    await logOutAndClose(page);
  });

  test('pause holds new rows until resume', async ({ browser }) => {
    const page = await logInAs(browser, 'admin', testPasswords.admin);
    await openEvents(page, '?filter=accounts');
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect(page.locator('#events-held')).toContainText('Paused: 0 new events held');
    await addAccount('evpaused');
    await expect(page.locator('#events-held')).toContainText('Paused: 1 new event held');
    await expect(page.getByRole('button', { name: 'Resume (1)' })).toBeVisible();
    await expect(page.locator('.event-row', { hasText: 'evpaused' })).toBeHidden();
    await page.getByRole('button', { name: 'Resume (1)' }).click();
    await expect(rowOf(page, 'evpaused')).toBeVisible();
    await expect(page.locator('#events-held')).toBeHidden();
    await expect(page.getByRole('button', { name: 'Pause' })).toHaveAttribute('aria-pressed', 'false');
    // Live again: the next row comes straight in.
    await removeAccount('evpaused');
    await expect(page.locator('#events-rows .event-row', { hasText: 'account-removed' }).last()).toContainText(
      'evpaused',
    );
    await logOutAndClose(page);
  });

  test('load earlier brings older rows from the journal, and the page fits 375 px', async ({ browser }) => {
    // 105 useradds and userdels: minutes on a loaded machine, and never left behind.
    test.setTimeout(180_000);
    const logins = Array.from({ length: 105 }, (_, index) => `evmany${index}`);
    const added: string[] = [];
    cleanups.push(async () => {
      for (const login of added) await removeAccount(login).catch(() => {});
    });
    for (const login of logins) {
      await addAccount(login);
      added.push(login);
    }
    const page = await logInAs(browser, 'admin', testPasswords.admin);
    await page.setViewportSize({ width: 375, height: 800 });
    await openEvents(page, '?filter=users');
    await expect(page.locator('#events-rows .event-row')).toHaveCount(100);
    const firstSeq = Number(await page.locator('#events-rows .event-row').first().getAttribute('data-seq'));
    await page.getByRole('button', { name: 'Load earlier' }).click();
    await expect(page.locator('#events-rows .event-row')).not.toHaveCount(100);
    const earliest = Number(await page.locator('#events-rows .event-row').first().getAttribute('data-seq'));
    expect(earliest).toBeLessThan(firstSeq);
    const seqs = await page
      .locator('#events-rows .event-row')
      .evaluateAll((rows) => rows.map((row) => Number((row as HTMLElement).dataset.seq)));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await expect(page.getByLabel('Filter')).toBeInViewport();
    await logOutAndClose(page);
  });
});
