import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountsSandbox, run, type AccountsSandbox } from '../../helpers/accounts-sandbox.ts';

// Issue 12, item 6: deleting an account deletes its private group as userdel does with
// USERGROUPS_ENAB yes: the group named as the login that is its primary group, with no
// other member and no other account's primary group; then `useradd NAME` works again.
let s: AccountsSandbox;
const etc = (name: string) => readFile(join(s.root, 'etc', name), 'utf8');
const useradd = (...args: string[]) => run('useradd', ['--prefix', s.root, '-M', ...args]);
const setUserGroups = async (value: 'yes' | 'no' | 'absent') => {
  const defs = join(s.root, 'etc/login.defs');
  const line = value === 'absent' ? '' : `USERGROUPS_ENAB ${value}`;
  const text = (await readFile(defs, 'utf8')).replace(/^USERGROUPS_ENAB\s+\S+\n?/m, '');
  await writeFile(defs, `${text}${line}\n`);
  // The service reads login.defs again when it changes: seen once a probe's plan says so.
  const wanted = value === 'yes' ? 'probe' : null;
  const end = Date.now() + 5000;
  // (The probe account itself, made by useradd, may not be seen yet either.)
  const getPlan = () => s.service.getDeletionPlan('probe').catch(() => null);
  while ((await getPlan())?.privateGroup !== wanted) {
    if (Date.now() > end) throw new Error(`login.defs USERGROUPS_ENAB ${value} not seen within 5 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};
// The demo's login.defs says no (Licorn's own accounts share `users`); Debian's says yes.
beforeAll(async () => {
  s = await createAccountsSandbox();
  await useradd('-U', 'probe');
  await setUserGroups('yes');
});
afterAll(() => s?.remove());

describe('deleting an account made by useradd', () => {
  it('deletes its private group in the same transaction, says so first, and useradd works again', async () => {
    await useradd('-U', 'withgroup');
    await s.service.settle();
    expect(await etc('group')).toMatch(/^withgroup:/m);
    const plan = await s.service.getDeletionPlan('withgroup', 'keep');
    expect(plan.privateGroup).toBe('withgroup');
    const deleted = await s.service.deleteAccount('withgroup', 'keep');
    expect(deleted.privateGroup).toBe('withgroup');
    expect(await etc('group')).not.toMatch(/^withgroup:/m);
    expect(await etc('gshadow')).not.toMatch(/^withgroup:/m);
    await s.waitForEvent(
      (event) => event.name === 'group-removed' && (event.data as { name: string }).name === 'withgroup',
      'group-removed withgroup',
    );
    // useradd refused this before (exit 9: group exists).
    await useradd('-U', 'withgroup');
  });

  it('keeps a private group that has another member, or is another account’s primary group', async () => {
    await useradd('-U', 'shared');
    await useradd('-U', 'friend');
    await run('gpasswd', ['-Q', s.root, '-a', 'friend', 'shared']);
    await useradd('-U', 'host');
    await useradd('-N', '-g', 'host', 'lodger');
    await s.service.settle();
    expect((await s.service.getDeletionPlan('shared')).privateGroup).toBeNull();
    expect((await s.service.deleteAccount('shared', 'keep')).privateGroup).toBeNull();
    expect((await s.service.deleteAccount('host', 'keep')).privateGroup).toBeNull();
    const groups = await etc('group');
    expect(groups).toMatch(/^shared:x:\d+:friend$/m);
    expect(groups).toMatch(/^host:/m);
  });

  it.each(['no', 'absent'] as const)(
    'keeps it when login.defs USERGROUPS_ENAB is %s (as userdel does)',
    async (value) => {
      await useradd('-U', `nogroups-${value}`);
      await setUserGroups(value);
      try {
        await s.service.deleteAccount(`nogroups-${value}`, 'keep');
        expect(await etc('group')).toMatch(new RegExp(`^nogroups-${value}:`, 'm'));
      } finally {
        await setUserGroups('yes');
      }
    },
  );

  it('deletes nothing when the deletion is refused (all or nothing)', async () => {
    await useradd('-U', 'first');
    await s.service.settle();
    const before = await s.digestEtc();
    await expect(s.service.deleteAccounts(['first', 'root'], 'keep')).rejects.toMatchObject({
      code: 'permission-denied',
    });
    expect(await s.digestEtc()).toBe(before);
  });
});
