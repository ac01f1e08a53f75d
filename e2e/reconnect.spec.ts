import { createServer } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { daemonUrl, expect, logInAs, logOutAndClose, test } from './fixtures.ts';
import { startRelay } from './relay.ts';
import { testPasswords } from '../test/helpers/sandbox.ts';
import { createDemoRoot } from '../server/core/demo/create-demo-root.ts';
import { startLicornd, type LicorndProcess } from '../test/helpers/licornd-process.ts';

test('the page shows "reconnecting", reconnects by itself and re-syncs what it missed', async ({ browser }) => {
  const relay = await startRelay(new URL(daemonUrl()));
  const page = await logInAs(browser, 'admin', testPasswords.admin, relay.url);
  const state = page.locator('#connection-state');
  await expect(state).toHaveAttribute('data-state', 'live');

  relay.block(true);
  relay.cut();
  await expect(state).toHaveAttribute('data-state', 'reconnecting');
  await expect(state).toHaveText('Reconnecting…');

  // Someone logs in while this page is cut off (straight to the daemon).
  const other = await logInAs(browser, 'hroussel', 'unknown-password');
  await other.context().close();
  const missed = await logInAs(browser, 'blefevre', testPasswords.blefevre);

  relay.block(false);
  await expect(state).toHaveAttribute('data-state', 'live', { timeout: 15_000 });
  await expect(page.locator('#sessions tr', { hasText: 'Bruno Lefèvre' })).toBeVisible();
  await expect(page.locator('#sessions tr', { hasText: 'Bruno Lefèvre' })).toHaveCount(1);

  await missed.context().close();
  await page.context().close();
  relay.close();
});

// A port free now, for a daemon that must come back on the same address.
async function getFreePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

test('a restart during an edit logs nobody out; what was typed meanwhile is saved once it is back', async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const dir = await mkdtemp(join(tmpdir(), 'licorn-e2e-restart-'));
  const root = join(dir, 'root');
  await createDemoRoot(root, { passwords: testPasswords });
  await writeFile(join(dir, 'licorn.conf'), 'auth.fail_delay = 0.2\n');
  const port = await getFreePort();
  const args = ['--config', join(dir, 'licorn.conf'), '--root', root, '--tls-dir', join(dir, 'certs')];
  args.push('--port', String(port));
  let daemon: LicorndProcess = startLicornd(args);
  try {
    const url = await daemon.listening();
    const page = await logInAs(browser, 'admin', testPasswords.admin, url);
    await page.goto('/accounts/fhaddad');
    const state = page.locator('#connection-state');
    await expect(state).toHaveAttribute('data-state', 'live');
    const fullName = page.getByLabel(/^Full name/);
    await fullName.fill('Farid Haddad-Before');

    daemon.child.kill('SIGTERM');
    expect((await daemon.exited()).code).toBe(0);
    await expect(state).toHaveAttribute('data-state', 'reconnecting');
    // Typed and left while the daemon is down: the save waits for it.
    await fullName.fill('Farid Haddad-During');
    await fullName.press('Tab');
    await expect(page.locator('[data-state-for="fullName"]')).toHaveText('Saving…');

    daemon = startLicornd(args);
    await daemon.listening();
    await expect(page.locator('[data-state-for="fullName"]')).toHaveText('Saved', { timeout: 20_000 });
    await expect(state).toHaveAttribute('data-state', 'live', { timeout: 20_000 });
    await expect(page).toHaveURL(/\/accounts\/fhaddad$/);
    await expect(page.locator('#session-notice')).toHaveCount(0);
    await expect(fullName).toHaveValue('Farid Haddad-During');
    expect(await readFile(join(root, 'etc/passwd'), 'utf8')).toMatch(/^fhaddad:x:\d+:\d+:Farid Haddad-During,/m);
    await page.context().close();
  } finally {
    daemon.child.kill('SIGTERM');
    await daemon.exited();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a session ended elsewhere: the page says so, keeps what was typed, saves it after a new login', async ({
  browser,
}) => {
  const page = await logInAs(browser, 'admin', testPasswords.admin);
  await page.goto('/accounts/iroux');
  await expect(page.locator('#connection-state')).toHaveAttribute('data-state', 'live');
  const fullName = page.getByLabel(/^Full name/);
  await fullName.fill('Inès Roux-Kept');

  // Another tab of the same browser logs out: this page's session is gone.
  const other = await page.context().newPage();
  await other.goto('/');
  await other.getByRole('button', { name: 'Log out' }).click();
  await expect(other).toHaveURL(/\/login\/$/);

  const notice = page.locator('#session-notice');
  await expect(notice).toContainText('Your session has ended — log in again in a new tab; what you typed here is kept');
  await expect(page.locator('#connection-state')).toHaveAttribute('data-state', 'ended');
  await fullName.press('Tab');
  await expect(page).toHaveURL(/\/accounts\/iroux$/);
  await expect(fullName).toHaveValue('Inès Roux-Kept');
  await expect(page.locator('[data-state-for="fullName"]')).toHaveText('Saving…');

  // Logging in again in the other tab brings the page back: it saves, and goes live again.
  await other.getByLabel('Login').fill('admin');
  await other.getByLabel('Password').fill(testPasswords.admin);
  await other.getByRole('button', { name: 'Log in' }).click();
  await expect(page.locator('[data-state-for="fullName"]')).toHaveText('Saved', { timeout: 15_000 });
  await expect(notice).toHaveCount(0);
  await expect(page.locator('#connection-state')).toHaveAttribute('data-state', 'live');
  const saved = await page.request.get('/api/v1/accounts/iroux');
  expect((await saved.json()).fullName).toBe('Inès Roux-Kept');
  await other.close();
  await logOutAndClose(page);
});
