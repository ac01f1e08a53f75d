import { createServer, connect, type Server, type Socket } from 'node:net';
import { daemonUrl, expect, logInAs, test } from './fixtures.ts';
import { testPasswords } from '../test/helpers/sandbox.ts';

// A TCP relay in front of the daemon that the test can cut, as a network blip would.
async function startRelay(target: URL): Promise<{ url: string; cut(): void; block(on: boolean): void; close(): void }> {
  const open = new Set<Socket>();
  let blocked = false;
  const server: Server = createServer((client) => {
    if (blocked) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `https://127.0.0.1:${port}`,
    cut: () => open.forEach((socket) => socket.destroy()),
    block: (on) => { blocked = on; },
    close: () => { open.forEach((socket) => socket.destroy()); server.close(); },
  };
}

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
