import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../helpers/accounts-sandbox.ts';
import { createSandbox, type Sandbox } from '../../helpers/sandbox.ts';
import { HomeOwners } from '../../../server/core/accounts/home-owners.ts';

// Red team of issue 18's kept home owners (home-owners.ts): a base removed and made again
// (rm -rf then mkdir, a restore). ext4 gives the new directory the inode number just freed,
// so dev and inode look the same, while the watch died with the old directory: the events
// of its removal hid the mtime check, and nothing under the new base was ever reported.

describe('HomeOwners, the base made again', () => {
  let sandbox: Sandbox;
  let owners: HomeOwners;
  beforeAll(async () => {
    sandbox = await createSandbox();
  });
  afterEach(() => owners?.close());
  afterAll(() => sandbox?.remove());

  it('follows a base removed and made again at the same path (a restore), inode reused or not', async () => {
    owners = new HomeOwners();
    const base = join(sandbox.root, 'restored');
    await mkdir(join(base, 'old'), { recursive: true });
    await owners.read(base);
    const before = await stat(base);
    // rm -rf then mkdir: ext4 gives the new directory the inode number just freed, unless
    // another process took it meanwhile (tried again a few times; tmpfs never reuses one).
    let after = before;
    for (let attempt = 0; attempt < 20; attempt += 1) {
      await rm(base, { recursive: true });
      await mkdir(base);
      after = await stat(base);
      if (after.ino === before.ino) break;
    }
    await mkdir(join(base, 'back'));
    await run('chown', ['41301', join(base, 'back')]);
    await owners.read(base);
    expect(owners.owns(41301)).toBe(true);
    // And the watch follows the new directory: a chown in place changes no mtime.
    await run('chown', ['41302', join(base, 'back')]);
    await owners.read(base);
    expect([owners.owns(41301), owners.owns(41302)]).toEqual([false, true]);
  });
});
