import { execFile } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPasswords } from '../../helpers/sandbox.ts';
import { callApi, createTestApp, openApiSession, type ApiSession, type TestApp } from '../../helpers/test-app.ts';
import { TestSocket } from '../../helpers/ws-client.ts';
import { createBareImage, createImage, LoopDevices, shouldSkipLoopTests } from '../../helpers/loop-devices.ts';
import { renderMessage, say } from '../../../server/core/messages.ts';
import { getTagsOnOneLine } from '../../helpers/one-line-tags.ts';

const run = promisify(execFile);

// The rows of a rendered volumes page, by kernel name.
function getRows(html: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const match of html.matchAll(/<tr id="volume-([^"]+)"[\s\S]*?<\/tr>/g)) rows.set(match[1]!, match[0]);
  return rows;
}

describe.skipIf(shouldSkipLoopTests())('the volumes page and its topics', () => {
  const loops = new LoopDevices();
  let t: TestApp;
  let admin: ApiSession;
  let member: ApiSession;
  let host = '';
  const sockets: TestSocket[] = [];
  let ext4 = '';
  const follow = async (who: ApiSession, topics: string[]) => {
    const socket = new TestSocket(`wss://${host}/ws`, { cookie: who.cookie, origin: `https://${host}` });
    sockets.push(socket);
    await socket.opened();
    socket.send({ subscribe: topics });
    return socket;
  };
  const getPage = (who: ApiSession) =>
    t.app.inject({ method: 'GET', url: '/volumes/', headers: { cookie: who.cookie, accept: 'text/html' } });

  beforeAll(async () => {
    t = await createTestApp([], async (sandbox) => {
      const dir = join(sandbox.root, 'var/images');
      await mkdir(dir, { recursive: true });
      ext4 = await loops.attach(await createImage(join(dir, 'page-ext4.img'), 'ext4', ['-L', 'PageDisk']));
    });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const address = t.app.server.address();
    host = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    admin = await openApiSession(t.app, 'admin', testPasswords.admin);
    member = await openApiSession(t.app, 'dnguyen', testPasswords.dnguyen);
  });
  afterAll(async () => {
    sockets.forEach((socket) => socket.close());
    // Before the sandbox goes, with the images in it.
    await loops.cleanUp(t.sandbox.root);
    await t?.close();
  });

  it('shows one row per volume to admins, actions only where allowed, never on a system volume', async () => {
    const page = await getPage(admin);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<a href="/volumes/" aria-current="page">Volumes</a>');
    const rows = getRows(page.body);
    const row = getTagsOnOneLine(rows.get(ext4)!);
    expect(row).toContain('PageDisk');
    expect(row).toMatch(
      new RegExp(
        String.raw`<button type="button" class="button" data-volume-action="mount" ` +
          String.raw`data-confirm="Mount \/dev\/loop\d+ &quot;\u2068PageDisk\u2069&quot; \(ext4, 16\.0 MiB\) under `,
      ),
    );
    expect(row).toContain(`under ${t.sandbox.root}/media/, named after its label or UUID`);
    expect(row).not.toContain('data-volume-action="unmount"');
    for (const volume of t.app.core.volumes.list().filter((one) => one.system)) {
      const systemRow = getTagsOnOneLine(rows.get(volume.name)!);
      expect(systemRow, volume.name).toContain('data-system="yes"');
      expect(systemRow).not.toContain('data-volume-action');
      expect(systemRow).toContain('class="muted small volume-reason"');
    }
    expect((await getPage(member)).statusCode).toBe(403);
    // Root here, so the notice is empty; a daemon without root says why (the core's reason).
    expect(page.body).toContain('<div id="volumes-writable" class="notice visually-hidden" role="status"></div>');
    const notRoot = say('volumes.reason.notRoot');
    const writable = { allowed: false, reason: renderMessage(notRoot, 'en'), reasonMessage: notRoot };
    const notice = await t.app.view('volumes/_writable.njk', { writable });
    expect(notice).toContain(
      '<strong>Read-only:</strong> <span>licornd does not run as root: volumes are shown read-only',
    );
    // In French for a French follower: the core's reason from its key, not its English.
    const avis = await t.app.view('volumes/_writable.njk', { writable, locale: 'fr' });
    expect(avis).toContain(
      '<span>licornd ne tourne pas en root\u00a0: les volumes sont affichés en lecture seule</span>',
    );
  });

  it("pushes the changed row (byte for byte the page's) and the filesystems' bars when a volume mounts", async () => {
    const watcher = await follow(admin, ['volumes', 'status']);
    const outsider = await follow(member, ['volumes']);
    const snapshot = await watcher.waitFor(
      () => watcher.messages.find((m) => m.action === 'update' && m.target === 'volume-rows'),
      'the rows',
    );
    expect(snapshot.html).toContain(`id="volume-${ext4}"`);

    const mounted = await callApi(t.app, admin, 'POST', `/api/v1/volumes/${ext4}/mount`, {});
    expect(mounted.statusCode).toBe(200);
    const { mountPoint } = mounted.json() as { mountPoint: string };
    const row = await watcher.waitFor(
      () =>
        watcher.messages.find(
          (m) => m.action === 'replace' && m.target === `volume-${ext4}` && m.html?.includes(mountPoint),
        ),
      'the mounted row',
    );
    expect(row.html).toContain('data-volume-action="unmount"');
    expect(getTagsOnOneLine(row.html!)).toMatch(/<meter min="0" max="100"/);
    const bars = await watcher.waitFor(
      () =>
        watcher.messages.find(
          (m) =>
            m.target === 'status-filesystems' &&
            `fs.${mountPoint}.size` in ((m.data as { values: object }).values ?? {}),
        ),
      'the filesystems',
    );
    expect((bars.data as { values: Record<string, number> }).values[`fs.${mountPoint}.size`]).toBeGreaterThan(0);
    expect(getRows((await getPage(admin)).body).get(ext4)).toBe(row.html!.trim());

    // Space used moves (a file written in a shell): the row follows while the page is open.
    const before = /(\d+) % of/.exec(row.html!)![1];
    await run('dd', ['if=/dev/zero', `of=${mountPoint}/filler`, 'bs=1M', 'count=12', 'conv=fsync', 'status=none']);
    const grown = await watcher.waitFor(
      () =>
        watcher.messages.find(
          (m) =>
            m.action === 'replace' && m.target === `volume-${ext4}` && /(\d+) % of/.exec(m.html ?? '')?.[1] !== before,
        ),
      'the usage',
      10_000,
    );
    expect(Number(/(\d+) % of/.exec(grown.html!)![1])).toBeGreaterThan(Number(before));
    await rm(`${mountPoint}/filler`);

    await callApi(t.app, admin, 'POST', `/api/v1/volumes/${ext4}/unmount`, {});
    await watcher.waitFor(
      () =>
        watcher.messages.find((m) => m.target === `volume-${ext4}` && m.html?.includes('data-volume-action="mount"')),
      'the unmounted row',
    );
    expect(outsider.messages.filter((m) => m.target.startsWith('volume'))).toEqual([]);
  });

  it('puts a volume that appears in its place by name, and removes one that goes', async () => {
    const watcher = await follow(admin, ['volumes']);
    const snapshot = await watcher.waitFor(
      () => watcher.messages.find((m) => m.action === 'update' && m.target === 'volume-rows'),
      'the rows',
    );
    const order = [...getRows(snapshot.html!).keys()];
    const dir = join(t.sandbox.root, 'var/images');
    const added = [
      await loops.attach(await createImage(join(dir, 'late-1.img'), 'ext4', ['-L', 'LateOne'])),
      await loops.attach(await createBareImage(join(dir, 'late-2.img'), 8)),
    ];
    // The block watcher calls this when a device comes; called here so that this test of the
    // topic does not depend on the watcher (the e2e test does).
    await t.app.core.volumes.refresh();
    await watcher.waitFor(() => {
      const found = watcher.messages.filter(
        (m) =>
          (m.action === 'before' || m.action === 'append') &&
          added.some((name) => m.html?.includes(`id="volume-${name}"`)),
      );
      return found.length === added.length && found;
    }, 'the new rows');
    // The page's order after every message so far (other tests' loops come and go too).
    const from = watcher.messages.indexOf(snapshot) + 1;
    for (const message of watcher.messages.slice(from)) {
      const name = /id="volume-([^"]+)"/.exec(message.html ?? '')?.[1];
      const target = order.indexOf(message.target.slice('volume-'.length));
      if (message.action === 'remove' && target >= 0) order.splice(target, 1);
      else if (message.action === 'append' && name) order.push(name);
      else if (message.action === 'before' && name && target >= 0) order.splice(target, 0, name);
    }
    const listed = t.app.core.volumes.list().map((volume) => volume.name);
    expect(order).toEqual(expect.arrayContaining(added));
    expect(order.filter((name) => listed.includes(name))).toEqual(listed.filter((name) => order.includes(name)));

    const beforeDetach = watcher.messages.length;
    await loops.detach(added[1]!);
    await t.app.core.volumes.refresh();
    // Removed, or redrawn without the image if another file's loop took the number at once
    // (`losetup -f` hands a freed number straight on; files attach loops in parallel).
    await watcher.waitFor(
      () =>
        watcher.messages
          .slice(beforeDetach)
          .find(
            (m) =>
              m.target === `volume-${added[1]}` &&
              (m.action === 'remove' || (m.html !== undefined && !m.html.includes('late-2.img'))),
          ),
      'the row gone',
    );
  });
});
