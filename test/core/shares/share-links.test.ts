import { chown, lstat, mkdir, readlink, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountsSandbox, type AccountsSandbox } from '../../helpers/accounts-sandbox.ts';
import {
  keepHomesListed,
  makeShareLink,
  removeShareLink,
  type LinkOwner,
} from '../../../server/core/shares/share-links.ts';

// The `~/G` links on their own (the service's use of them: shares-service.test.ts), on the
// sandbox's real homes.
let s: AccountsSandbox;
const owner = (login: string): LinkOwner => {
  const account = s.service.getAccount(login)!;
  return { login, uid: account.uid, gid: account.gid, home: account.home };
};
beforeAll(async () => {
  s = await createAccountsSandbox();
});
afterAll(() => s.remove());

describe('members’ ~/G links', () => {
  // Red team F2: never chowned by name (a member could swap it for a hard link meanwhile).
  it("makes ~/G (root's, never chowned), pointing at the share, once; removes only that link", async () => {
    const link = join(s.root, 'home/dnguyen/developers');
    expect(await makeShareLink(s.root, owner('dnguyen'), 'developers')).toBe('made');
    expect(await readlink(link)).toBe(join(s.root, 'home/groups/developers'));
    const info = await lstat(link);
    expect([info.isSymbolicLink(), info.uid]).toEqual([true, process.getuid!()]);
    expect(await makeShareLink(s.root, owner('dnguyen'), 'developers')).toBe('present');
    expect(await removeShareLink(s.root, owner('dnguyen'), 'developers')).toBe('removed');
    expect(await lstat(link).catch(() => null)).toBeNull();
    expect(await removeShareLink(s.root, owner('dnguyen'), 'developers')).toBe('absent');
  });

  it('leaves a name already taken alone: a file, a directory, another link', async () => {
    const home = join(s.root, 'home/dnguyen');
    await writeFile(join(home, 'support'), 'mine\n');
    await mkdir(join(home, 'staff'));
    await symlink('/etc/passwd', join(home, 'testers'));
    for (const name of ['support', 'staff', 'testers']) {
      expect(await makeShareLink(s.root, owner('dnguyen'), name)).toBe('taken');
      expect(await removeShareLink(s.root, owner('dnguyen'), name)).toBe('absent');
    }
    expect((await lstat(join(home, 'support'))).isFile()).toBe(true);
    expect((await lstat(join(home, 'staff'))).isDirectory()).toBe(true);
    expect(await readlink(join(home, 'testers'))).toBe('/etc/passwd');
  });

  it('makes nothing in a home that is missing, not the account’s, or reached through a symlink', async () => {
    const missing = { ...owner('dnguyen'), home: '/home/nobody-here' };
    expect(await makeShareLink(s.root, missing, 'developers')).toBe('no-home');
    const notTheirs = { ...owner('dnguyen'), home: '/home/hpetit' };
    expect(await makeShareLink(s.root, notTheirs, 'developers')).toBe('no-home');
    // A home whose parent was swapped for a symlink elsewhere (the link would land there).
    await mkdir(join(s.root, 'elsewhere/dnguyen'), { recursive: true });
    await chown(join(s.root, 'elsewhere/dnguyen'), owner('dnguyen').uid, owner('dnguyen').gid);
    await rename(join(s.root, 'elsewhere'), join(s.root, 'home/away'));
    await symlink(join(s.root, 'home/away'), join(s.root, 'home/through'));
    const through = { ...owner('dnguyen'), home: '/home/through/dnguyen' };
    expect(await makeShareLink(s.root, through, 'developers')).toBe('no-home');
    expect(await lstat(join(s.root, 'home/away/dnguyen/developers')).catch(() => null)).toBeNull();
    const inShares = { ...owner('dnguyen'), home: '/home/groups/developers' };
    expect(await makeShareLink(s.root, inShares, 'developers')).toBe('no-home');
  });

  // An import's members made without homes are passed over from one listing of /home.
  it('keeps the owners whose home is listed in its parent, or whose parent cannot be read', async () => {
    const at = (home: string): LinkOwner => ({ ...owner('dnguyen'), home });
    const owners = [
      at('/home/dnguyen'),
      at('/home/nobody-here'),
      at('/home//hpetit/'),
      at('/nowhere/x'),
      at('relative'),
      at('/'),
    ];
    const kept = await keepHomesListed(s.root, owners);
    expect(kept.map((kept) => kept.home)).toEqual(['/home/dnguyen', '/home//hpetit/', '/nowhere/x', 'relative', '/']);
  });
});
