import { mkdir, readFile, writeFile, chown } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountsSandbox, run, type AccountsSandbox } from '../../helpers/accounts-sandbox.ts';
import { applyHomePlan, isOwnHome } from '../../../server/core/accounts/home-disk.ts';
import { DirectorySteps } from '../../../server/core/accounts/directory-steps.ts';
import { digestTree } from './tree-digest.ts';

let s: AccountsSandbox;
beforeAll(async () => {
  s = await createAccountsSandbox();
});
afterAll(() => s.remove());

// Accounts added to passwd by hand (or `useradd -o -d /home/admin/`), as the red team did.
async function addAliases(lines: string[]): Promise<void> {
  await s.service.applyOutsideWrite(async () => {
    const shadow = lines.map((line) => `${line.split(':')[0]}:!:20000:0:99999:7:::`);
    for (const [file, text] of [
      ['passwd', lines.join('\n')],
      ['shadow', shadow.join('\n')],
    ]) {
      const path = join(s.root, 'etc', file!);
      await writeFile(path, `${await readFile(path, 'utf8')}${text}\n`);
    }
  });
}

describe('homes compared however passwd spells them (red team HIGH 5)', () => {
  it("never archives or removes another's home through an alias spelled /home/admin/, //, /./, or inside", async () => {
    const admin = s.service.getAccount('admin')!;
    const inside = join(s.root, 'home/admin/projects');
    await mkdir(inside);
    await chown(inside, admin.uid, admin.gid);
    const spellings = [
      '/home/admin/',
      '/home//admin',
      '/home/./admin',
      '/home/admin/../admin',
      '/home//admin/projects/',
    ];
    await addAliases(spellings.map((home, index) => `alias${index}:x:${admin.uid}:${admin.gid}::${home}:/bin/bash`));
    const before = await digestTree(join(s.root, 'home/admin'));
    for (const [index, home] of spellings.entries()) {
      for (const disposal of ['remove', 'archive'] as const) {
        const plan = await s.service.getDeletionPlan(`alias${index}`, disposal);
        const warning = expect.stringMatching(/home of admin|homes of other accounts/);
        expect(plan, `${home} ${disposal}`).toMatchObject({ action: 'keep', warning });
      }
      const deleted = await s.service.deleteAccount(`alias${index}`, 'remove');
      expect(deleted.home.action, home).toBe('keep');
      expect(await digestTree(join(s.root, 'home/admin')), home).toBe(before);
    }
    // The admin's own plan still sees its home as its own once the aliases are gone.
    expect((await s.service.getDeletionPlan('admin', 'archive')).action).toBe('archive');
  });

  it('lets a daemon that is not root remove a home it owns only when no other account shares it', () => {
    const [account, daemon] = [1000, 1500];
    expect(isOwnHome(account, account, false, 0)).toBe(true);
    expect(isOwnHome(0, account, false, 0)).toBe(false);
    expect(isOwnHome(daemon, account, false, 0)).toBe(false);
    expect(isOwnHome(daemon, account, false, daemon)).toBe(true);
    expect(isOwnHome(daemon, account, true, daemon)).toBe(false);
    expect(isOwnHome(0, account, false, daemon)).toBe(false);
    expect(isOwnHome(2000, account, false, daemon)).toBe(false);
  });
});

describe('a filesystem refusal when a home is moved away (red team LOW 10)', () => {
  it('is a conflict naming home, with the managed path only, and nothing moved', async () => {
    const home = join(s.root, 'home/mounted');
    await mkdir(home);
    await run('mount', ['--bind', home, home]);
    try {
      const before = await digestTree(join(s.root, 'home'));
      for (const action of ['archive', 'remove'] as const) {
        const steps = new DirectorySteps();
        // A plan made before the mount (or by a caller that did not look): the rename is refused.
        const plan = { home: '/home/mounted', asked: action, action, warning: null, warningMessage: null };
        const failure = await applyHomePlan(s.root, steps, plan, 'mounted').catch((error: unknown) => error);
        const message = expect.stringContaining('mount point');
        expect(failure, action).toMatchObject({ code: 'conflict', field: 'home', message });
        expect((failure as Error).message).not.toContain(s.root);
        await steps.rollback();
        expect(await digestTree(join(s.root, 'home')), action).toBe(before);
      }
    } finally {
      await run('umount', [home]);
    }
  });
});
