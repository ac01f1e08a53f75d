import { rename, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountsSandbox, run, type AccountsSandbox } from '../../helpers/accounts-sandbox.ts';

// Red team of issue 18's kept home owners (home-owners.ts): a homes base that is a symlink
// (/home → /var/home, as on Fedora's atomic desktops). lstat of the base said "no directory",
// so no home was ever counted and an orphan's UID was handed out again.

describe('a create with homes present, the base a symlink', () => {
  let s: AccountsSandbox;
  beforeAll(async () => {
    s = await createAccountsSandbox();
  });
  afterAll(() => s?.remove());

  const create = async (login: string) =>
    (await s.service.createAccount({ login, password: null, createHome: false })).account.uid;

  it('skips the UID of an orphan home under a base that is a symlink (/home → /var/home)', async () => {
    await rename(join(s.root, 'home'), join(s.root, 'var-home'));
    await symlink('var-home', join(s.root, 'home'));
    const uid = await create('linked1');
    const orphan = join(s.root, 'home/orphan-linked');
    await run('mkdir', [orphan]);
    await run('chown', [`${uid + 1}:100`, orphan]);
    expect(await create('linked2')).toBe(uid + 2);
  });
});
