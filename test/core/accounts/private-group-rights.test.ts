import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountsSandbox, run, type AccountsSandbox } from '../../helpers/accounts-sandbox.ts';
import type { Requester } from '../../../server/core/accounts/membership-rules.ts';
import { renderMessage } from '../../../server/core/messages.ts';

// Issue 12's red team, MEDIUM 1: a licorn-wmi member deleted system and privileged groups
// (docker) through "delete the account" whose primary group they were. The private group
// goes with its account only when the requester could delete it itself (as DELETE
// /api/v1/groups/<name>), and never when it is a system group; otherwise it is kept, the
// plan and the answer say so, and the account is still deleted.
let s: AccountsSandbox;
const etc = (name: string) => readFile(join(s.root, 'etc', name), 'utf8');
const useradd = (...args: string[]) => run('useradd', ['--prefix', s.root, '-M', ...args]);
const groupadd = (...args: string[]) => run('groupadd', ['--prefix', s.root, ...args]);
const adminGroups = ['admins', 'licorn-wmi', 'wheel'];
const wmi: Requester = { login: 'wmiuser', adminGroups };
const admin: Requester = { login: 'adminuser', adminGroups };

beforeAll(async () => {
  s = await createAccountsSandbox();
  await useradd('-N', '-G', 'licorn-wmi', 'wmiuser');
  await useradd('-N', '-G', 'admins', 'adminuser');
  const defs = join(s.root, 'etc/login.defs');
  const text = (await readFile(defs, 'utf8')).replace(/^USERGROUPS_ENAB\s+\S+\n?/m, '');
  await writeFile(defs, `${text.replace(/^GID_MAX\s+\d+$/m, 'GID_MAX 60000')}USERGROUPS_ENAB yes\n`);
  // The service reads login.defs again when it changes: seen once a probe's plan says so.
  await useradd('-U', 'probe');
  const end = Date.now() + 5000;
  while ((await s.service.getDeletionPlan('probe').catch(() => null))?.privateGroup !== 'probe') {
    if (Date.now() > end) throw new Error('USERGROUPS_ENAB yes not seen within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
});
afterAll(() => s?.remove());

describe('the private group deleted with an account', () => {
  it('is kept when it is a system group (docker), for a licorn-wmi member and an admin alike', async () => {
    await groupadd('-r', 'docker');
    await useradd('-g', 'docker', 'docker');
    await groupadd('-r', 'rtsysgrp');
    await useradd('-g', 'rtsysgrp', 'rtsysgrp');
    await s.service.settle();
    const gid = s.service.getGroup('docker')!.gid;
    expect(gid).toBeLessThan(10000);
    const plan = await s.service.getDeletionPlan('docker', 'keep', wmi);
    expect(plan.privateGroup).toBeNull();
    expect(plan.groupKept).toBe(
      `Its private group "docker" (GID ${gid}) is kept: a system group is never deleted with an account`,
    );
    // The same as a message, which pages and the CLI say in their reader's language.
    expect(renderMessage(plan.groupKeptMessage!, 'fr')).toBe(
      `Son groupe privé «\u00a0docker\u00a0» (GID ${gid}) est gardé\u00a0: un groupe système n’est jamais ` +
        `supprimé avec un compte`,
    );
    const deleted = await s.service.deleteAccount('docker', 'keep', wmi);
    expect(deleted).toMatchObject({ privateGroup: null, groupKept: plan.groupKept });
    expect(await etc('passwd')).not.toMatch(/^docker:/m);
    expect(await etc('group')).toMatch(/^docker:/m);
    expect(await etc('gshadow')).toMatch(/^docker:/m);
    expect((await s.service.deleteAccount('rtsysgrp', 'keep', admin)).groupKept).toContain('a system group');
    expect(await etc('group')).toMatch(/^rtsysgrp:/m);
  });

  it('is kept when the requester may not delete that group (a restricted GID), even for an admin', async () => {
    // GID_MAX 60000 (as on many machines): 40000 is a standard GID, but restricted (above
    // 29999): no request ever changes or deletes such a group.
    await useradd('-U', 'plain');
    await groupadd('-g', '40000', 'biggid');
    await useradd('-g', 'biggid', 'biggid');
    await s.service.settle();
    const plan = await s.service.getDeletionPlan('biggid', 'keep', admin);
    expect(plan.privateGroup).toBeNull();
    expect(plan.groupKept).toBe(
      'Its private group "biggid" (GID 40000) is kept: "biggid" is a restricted group (GID 40000), ' +
        'never changed through the interface',
    );
    expect((await s.service.deleteAccount('biggid', 'keep', admin)).groupKept).toBe(plan.groupKept);
    expect(await etc('group')).toMatch(/^biggid:x:40000:/m);
    // An ordinary private group still goes for a licorn-wmi member.
    expect(await s.service.deleteAccount('plain', 'keep', wmi)).toMatchObject({
      privateGroup: 'plain',
      groupKept: null,
    });
    expect(await etc('group')).not.toMatch(/^plain:/m);
  });

  it('is kept when DELETE /api/v1/groups/<name> would refuse it, even for an admin (wheel)', async () => {
    // It went for a member of admins, whom checkGroupChange lets change an admin group; the
    // groups API refuses deleting one to everyone (getGroupRefusal), and so does this.
    await groupadd('-g', '10950', 'wheel');
    await useradd('-g', 'wheel', 'wheel');
    await s.service.settle();
    const plan = await s.service.getDeletionPlan('wheel', 'keep', admin);
    expect(plan).toMatchObject({ privateGroup: null });
    expect(plan.groupKept).toBe(
      'Its private group "wheel" (GID 10950) is kept: The group "wheel" is an administrators\' group and cannot ' +
        'be deleted: its members manage the machine',
    );
    await expect(s.service.deleteGroup('wheel', { by: admin })).rejects.toMatchObject({
      messageKey: 'groups.protection.adminGroup',
    });
    expect((await s.service.deleteAccount('wheel', 'keep', admin)).groupKept).toBe(plan.groupKept);
    expect(await etc('group')).toMatch(/^wheel:x:10950:/m);
  });

  it('is kept, saying so, when it holds Licorn roles and a share (a standard group named as the login)', async () => {
    // Kept before too, but silently: the plan said nothing of a group with other people's roles.
    await groupadd('-g', '10960', 'labgroup');
    await useradd('-g', 'labgroup', 'labgroup');
    await groupadd('-r', 'rsp-labgroup');
    await groupadd('-r', 'gst-labgroup');
    await s.service.settle();
    const plan = await s.service.getDeletionPlan('labgroup', 'keep', admin);
    expect(plan).toMatchObject({ privateGroup: null });
    expect(plan.groupKept).toBe(
      'Its private group "labgroup" (GID 10960) is kept: it holds Licorn roles and a shared directory, which go ' +
        'only when the group is deleted on its own page (the share archived)',
    );
    expect((await s.service.deleteAccount('labgroup', 'keep', wmi)).groupKept).toBe(plan.groupKept);
    expect(await etc('group')).toMatch(/^labgroup:/m);
    expect(await etc('group')).toMatch(/^rsp-labgroup:/m);
  });
});
