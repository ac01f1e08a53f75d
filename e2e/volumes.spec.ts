import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from '@playwright/test';
import { expect, logInAs, logOutAndClose, test } from './fixtures.ts';
import { testPasswords } from '../test/helpers/sandbox.ts';
import { createImage, getLoopSkipReason, LoopDevices, shouldSkipLoopTests } from '../test/helpers/loop-devices.ts';

const run = promisify(execFile);

// Volumes as an admin lives them: devices that come and go from a shell, `mount` typed
// there, system partitions left alone, a busy unmount that names its holder, an eject. The
// images live in the daemon's sandbox (the only loops a sandboxed daemon may act on); every
// loop and mount made here is undone at the end, also on failure.
test.describe('volumes', () => {
  const loops = new LoopDevices();
  const holders: ChildProcess[] = [];
  const skip = shouldSkipLoopTests();
  let dir = '';

  test.beforeAll(async () => {
    dir = join(process.env.LICORN_E2E_ROOT!, 'var/e2e-images');
    await mkdir(dir, { recursive: true });
  });
  test.afterAll(async () => {
    holders.forEach((child) => child.kill('SIGKILL'));
    // Every mount under the daemon's sandbox (the shell's, the page's in media/), then our loops.
    await loops.cleanUp(process.env.LICORN_E2E_ROOT!);
  });
  test.beforeEach(() => {
    test.skip(skip, getLoopSkipReason() ?? '');
  });

  const openVolumes = async (page: Page) => {
    await page.goto('/volumes/');
    await expect(page.locator('#connection-state')).toHaveAttribute('data-state', 'live');
  };
  const confirm = async (page: Page, button: string, text: RegExp) => {
    await expect(page.locator('#volume-confirm')).toBeVisible();
    await expect(page.locator('#volume-confirm-text')).toContainText(text);
    await page.locator('#volume-confirm').getByRole('button', { name: button }).click();
  };

  test('a loop attached in a shell appears, `mount` there updates it, detached it goes', async ({ browser }) => {
    const page = await logInAs(browser, 'admin', testPasswords.admin);
    await openVolumes(page);
    const name = await loops.attach(await createImage(join(dir, 'shell.img'), 'ext4', ['-L', 'ShellDisk']));
    const row = page.locator(`#volume-${name}`);
    await expect(row).toContainText('ShellDisk');
    await expect(row).toContainText('not mounted');
    await expect(row.getByRole('button', { name: 'Mount' })).toBeVisible();

    const mountPoint = join(dir, 'shell-mount');
    await mkdir(mountPoint, { recursive: true });
    await run('mount', [`/dev/${name}`, mountPoint]);
    await expect(row.locator('.volume-mount-point')).toHaveText(mountPoint);
    await expect(row.locator('.volume-state')).toHaveText('mounted');
    await expect(row.locator('meter')).toBeVisible();
    await run('umount', [mountPoint]);
    await expect(row.locator('.volume-state')).toHaveText('not mounted');

    await loops.detach(name);
    await expect(row).toHaveCount(0);
    await logOutAndClose(page);
  });

  test('system partitions are shown with their reason and never offered an action', async ({ browser }) => {
    const page = await logInAs(browser, 'admin', testPasswords.admin);
    await openVolumes(page);
    const systemRows = page.locator('tr.volume-row[data-system="yes"]');
    for (const row of await systemRows.all()) {
      await expect(row.locator('button')).toHaveCount(0);
      await expect(row.locator('.volume-reason')).not.toBeEmpty();
    }
    await logOutAndClose(page);
  });

  test('mount from the page; a busy unmount shows the holder, force ends it; eject removes the row', async ({
    browser,
  }) => {
    const page = await logInAs(browser, 'admin', testPasswords.admin);
    const other = await logInAs(browser, 'blefevre', testPasswords.blefevre);
    await openVolumes(page);
    await openVolumes(other);
    const name = await loops.attach(await createImage(join(dir, 'busy.img'), 'ext4', ['-L', 'BusyDisk']));
    const row = page.locator(`#volume-${name}`);
    await row.getByRole('button', { name: 'Mount' }).click();
    await confirm(page, 'Mount', /Mount \/dev\/loop\d+ "\u2068BusyDisk\u2069" \(ext4/);
    await expect(row.locator('.volume-state')).toHaveText('mounted');
    // The other admin's page follows.
    await expect(other.locator(`#volume-${name} .volume-state`)).toHaveText('mounted');
    const mountPoint = (await row.locator('.volume-mount-point').textContent())!;
    expect(mountPoint.startsWith(join(process.env.LICORN_E2E_ROOT!, 'media/'))).toBe(true);

    const holder = spawn('sleep', ['600'], { cwd: mountPoint, stdio: 'ignore' });
    holders.push(holder);
    await row.getByRole('button', { name: 'Unmount' }).click();
    await confirm(page, 'Unmount', new RegExp(`Unmount /dev/${name}.* from ${mountPoint}`));
    await expect(page.locator('#volume-holder-list')).toContainText(`sleep (process ${holder.pid}`);
    await expect(row.locator('.volume-state')).toHaveText('mounted');
    await page.getByRole('button', { name: 'Force unmount…' }).click();
    await confirm(page, 'Force unmount', /SIGTERM/);
    await expect(row.locator('.volume-state')).toHaveText('not mounted');
    await expect(page.locator('#volume-confirm')).toBeHidden();

    await row.getByRole('button', { name: 'Eject' }).click();
    await confirm(page, 'Eject', /detach the loop device/);
    await expect(row).toHaveCount(0);
    await expect(other.locator(`#volume-${name}`)).toHaveCount(0);
    await logOutAndClose(page);
    await logOutAndClose(other);
  });

  test('usable at phone width: no sideways scrolling, the buttons in reach', async ({ browser }) => {
    const page = await logInAs(browser, 'admin', testPasswords.admin);
    await page.setViewportSize({ width: 375, height: 800 });
    const name = await loops.attach(await createImage(join(dir, 'phone.img'), 'ext4', ['-L', 'PhoneDisk']));
    await openVolumes(page);
    const row = page.locator(`#volume-${name}`);
    await expect(row).toContainText('PhoneDisk');
    const mount = row.getByRole('button', { name: 'Mount' });
    await mount.scrollIntoViewIfNeeded();
    const box = (await mount.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(375);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await loops.detach(name);
    await logOutAndClose(page);
  });

  test("a 250-byte label stays inside the phone's confirmation, cut and quoted after the verb", async ({ browser }) => {
    const page = await logInAs(browser, 'admin', testPasswords.admin);
    await page.setViewportSize({ width: 375, height: 800 });
    const label = 'W'.repeat(250);
    const name = await loops.attach(await createImage(join(dir, 'long.img'), 'btrfs', ['-L', label]));
    await openVolumes(page);
    const row = page.locator(`#volume-${name}`);
    await row.getByRole('button', { name: 'Mount' }).click();
    const text = page.locator('#volume-confirm-text');
    await expect(text).toContainText(new RegExp(`^Mount /dev/${name} "\u2068W{31}…\u2069" \\(btrfs`));
    const widths = await text.evaluate((node) => ({ scroll: node.scrollWidth, client: node.clientWidth }));
    expect(widths.scroll).toBeLessThanOrEqual(widths.client);
    await page.locator('#volume-confirm').getByRole('button', { name: 'Cancel' }).click();
    await loops.detach(name);
    await logOutAndClose(page);
  });
});
