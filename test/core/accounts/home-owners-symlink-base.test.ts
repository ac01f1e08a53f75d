import { rename, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run, useAccountsSandbox } from '../../helpers/accounts-sandbox.ts';

// Red team of issue 18's kept home owners (home-owners.ts): a homes base that is a symlink
// (/home → /var/home, as on Fedora's atomic desktops). lstat of the base said "no directory",
// so no home was ever counted and an orphan's UID was handed out again.

describe('a create with homes present, the base a symlink', () => {
  const box = useAccountsSandbox();
  const { create } = box;

  it('skips the UID of an orphan home under a base that is a symlink (/home → /var/home)', async () => {
    await rename(join(box.s.root, 'home'), join(box.s.root, 'var-home'));
    await symlink('var-home', join(box.s.root, 'home'));
    const uid = await create('linked1');
    const orphan = join(box.s.root, 'home/orphan-linked');
    await run('mkdir', [orphan]);
    await run('chown', [`${uid + 1}:100`, orphan]);
    expect(await create('linked2')).toBe(uid + 2);
  });
});
