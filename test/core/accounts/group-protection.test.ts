import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type GroupFacts,
  getGroupDeletionRefusal as getDeletionMessage,
  getGroupRefusals as getRefusalMessages,
} from '../../../server/core/accounts/group-protection.ts';
import { createAccountsSandbox, run, type AccountsSandbox } from '../../helpers/accounts-sandbox.ts';
import { waitUntil } from '../../helpers/wait-until.ts';
import { type CoreMessage, renderMessage, renderMessages } from '../../../server/core/messages.ts';

// The refusals are keyed messages: read here in English, as the API says them to English readers.
const getGroupDeletionRefusal = (...args: Parameters<typeof getDeletionMessage>) => {
  const message: CoreMessage | null = getDeletionMessage(...args);
  return message && renderMessage(message, 'en');
};
const getGroupRefusals = (...args: Parameters<typeof getRefusalMessages>) =>
  renderMessages(getRefusalMessages(...args), 'en');

// The one rule on which groups the interface deletes (API, CLI and pages ask it).
const standard = { name: 'developers', gid: 10002, system: false, helperOf: null };
const adminGroups = ['admins', 'licorn-wmi', 'sudo', 'wheel'];

describe('getGroupDeletionRefusal', () => {
  it('lets a standard group go, and nothing else, with the reason in words', () => {
    expect(getGroupDeletionRefusal(standard, adminGroups)).toBeNull();
    expect(getGroupDeletionRefusal({ ...standard, name: 'acl', system: true, gid: 999 }, adminGroups)).toBe(
      `The group "acl" is protected and cannot be deleted: it owns every group's shared directory`,
    );
    // A configured administrators' group, though Licorn does not know its name.
    expect(getGroupDeletionRefusal({ ...standard, name: 'wheel' }, adminGroups)).toBe(
      `The group "wheel" is an administrators' group and cannot be deleted: its members manage the machine`,
    );
    expect(getGroupDeletionRefusal({ ...standard, name: 'wheel' }, ['admins'])).toBeNull();
    expect(getGroupDeletionRefusal({ ...standard, name: 'old', gid: 30001 }, adminGroups)).toContain(
      'restricted group (GID 30001)',
    );
    const helperOf = { group: 'developers', role: 'guest' };
    const helper = { name: 'gst-developers', gid: 999, system: true, helperOf };
    expect(getGroupDeletionRefusal(helper as never, adminGroups)).toBe(
      'The group "gst-developers" holds the guests of the group developers: delete developers instead',
    );
    expect(getGroupDeletionRefusal({ ...standard, name: 'docker', gid: 998, system: true }, adminGroups)).toBe(
      'The group "docker" is a system group (GID 998), which packages and services rely on: it is never deleted ' +
        'through the interface (groupdel in a shell can)',
    );
  });

  it("gives the group's page the same words, and the rename's refusals", () => {
    expect(getGroupRefusals({ ...standard, name: 'docker', gid: 998, system: true }, adminGroups).delete).toContain(
      'is a system group',
    );
    expect(getGroupRefusals({ ...standard, name: 'admins', gid: 10100 }, adminGroups)).toEqual({
      delete: 'The group "admins" is protected and cannot be deleted: its members administer the machine',
      rename: 'The group "admins" is protected and cannot be renamed: its members administer the machine',
    });
    expect(getGroupRefusals(standard, adminGroups)).toEqual({ delete: null, rename: null });
    // Names that are an object's own properties in JavaScript are groups like any other.
    for (const name of ['constructor', '__proto__', 'tostring'])
      expect(getGroupRefusals({ ...standard, name }, adminGroups), name).toEqual({ delete: null, rename: null });
  });

  it('says them in French to a French reader', () => {
    const acl = getDeletionMessage({ ...standard, name: 'acl', system: true, gid: 999 }, adminGroups);
    expect(renderMessage(acl!, 'fr')).toContain(
      'acl\u00a0» est protégé et ne peut pas être supprimé\u00a0: il possède le dossier partagé de chaque groupe',
    );
    const helperOf = { group: 'developers', role: 'responsible' } as const;
    const helper = getDeletionMessage({ name: 'rsp-developers', gid: 999, system: true, helperOf }, adminGroups);
    expect(renderMessage(helper!, 'fr')).toContain('contient les responsables du groupe developers');
  });
});

describe('getGroupRefusal for a rename', () => {
  it('refuses exactly the groups whose deletion is refused, in words of a rename', () => {
    const cases = [
      standard,
      { ...standard, name: 'acl', gid: 302, system: true },
      { ...standard, name: 'wheel' },
      { ...standard, name: 'old', gid: 30001 },
      { name: 'rsp-developers', gid: 310, system: true, helperOf: { group: 'developers', role: 'responsible' } },
      { ...standard, name: 'systemd-network', gid: 998, system: true },
    ] as const;
    for (const group of cases) {
      const { delete: deletion, rename } = getGroupRefusals(group, adminGroups);
      expect(rename === null, group.name).toBe(deletion === null);
    }
    const rename = (group: GroupFacts) => getGroupRefusals(group, adminGroups).rename;
    expect(rename(cases[1])).toBe(
      `The group "acl" is protected and cannot be renamed: it owns every group's shared directory`,
    );
    expect(rename(cases[2])).toBe(
      `The group "wheel" is an administrators' group and cannot be renamed: its members manage the machine`,
    );
    expect(rename(cases[3])).toBe(
      'The group "old" is a restricted group (GID 30001), never touched through the interface',
    );
    expect(rename(cases[4])).toBe(
      'The group "rsp-developers" holds the responsibles of the group developers: rename developers instead',
    );
    expect(rename(cases[5])).toBe(
      'The group "systemd-network" is a system group (GID 998), which packages and services rely on: it is never ' +
        'renamed through the interface (groupmod in a shell can)',
    );
    const system = getRefusalMessages(cases[5], adminGroups).rename!;
    expect(renderMessage(system, 'fr')).toBe(
      'Le groupe «\u00a0systemd-network\u00a0» est un groupe système (GID 998), dont dépendent des paquets et des ' +
        'services\u00a0: l’interface ne le renomme jamais (groupmod dans un shell le peut)',
    );
  });
});

// What a refused rename must leave as it was: the account files, the descriptions, the shares.
async function readState(root: string): Promise<string[]> {
  const names = ['passwd', 'shadow', 'group', 'gshadow', 'licorn/group-descriptions'];
  const files = await Promise.all(names.map((name) => readFile(join(root, 'etc', name), 'utf8').catch(() => '')));
  return [...files, (await readdir(join(root, 'home/groups'))).join(' ')];
}

describe('renaming a group in the core', () => {
  let s: AccountsSandbox;
  beforeAll(async () => {
    s = await createAccountsSandbox();
  });
  afterAll(() => s.remove());
  const by = { login: 'admin', adminGroups };

  it('refuses, even an admin, every group the interface never deletes, changing no byte', async () => {
    await s.service.createGroup({ name: 'pkgsys', system: true });
    await s.service.createGroup({ name: 'wheel', roles: false });
    const before = await readState(s.root);
    const cases: [string, string][] = [
      ['acl', 'groups.protection.rename.protected'],
      ['admins', 'groups.protection.rename.protected'],
      ['users', 'groups.protection.rename.protected'],
      ['wheel', 'groups.protection.rename.adminGroup'],
      ['daemon', 'groups.protection.restricted'],
      ['nogroup', 'groups.protection.restricted'],
      ['rsp-developers', 'groups.protection.rename.helper'],
      ['gst-developers', 'groups.protection.rename.helper'],
      ['systemd-network', 'groups.protection.rename.system'],
      ['pkgsys', 'groups.protection.rename.system'],
    ];
    for (const [name, messageKey] of cases) {
      // With a description and a version in the same request: nothing of it is made either.
      const { version } = s.service.getGroup(name)!;
      const update = { version, newName: `zz${name}`, description: 'Renamed' };
      // Without a requester, as the core's own callers: only the configured admin groups are not known.
      for (const requester of name === 'wheel' ? [by] : [by, undefined]) {
        await expect(s.service.updateGroup(name, update, requester), name).rejects.toMatchObject({
          code: 'permission-denied',
          field: 'name',
          messageKey,
        });
      }
    }
    expect(await readState(s.root)).toEqual(before);
    // A description alone is not a rename: a protected group still gets one.
    await s.service.updateGroup('acl', { description: 'Owns the shares' }, by);
    expect(s.service.getGroup('acl')!.description).toBe('Owns the shares');
  });

  it("refuses taking the name of one of Licorn's own groups that is missing, and any existing name", async () => {
    await s.service.createGroup({ name: 'lab' });
    await s.service.createGroup({ name: 'rsp-taken', system: true });
    await s.service.setGroupDescription('acl', '');
    await s.service.deleteGroup('acl', { allowProtected: true });
    const before = await readState(s.root);
    await expect(s.service.updateGroup('lab', { newName: 'acl' }, by)).rejects.toMatchObject({
      code: 'permission-denied',
      field: 'newName',
      message:
        `Cannot rename "lab" to "acl": that is the name of one of Licorn's own groups (it owns every ` +
        `group's shared directory)`,
    });
    for (const taken of ['developers', 'daemon', 'nogroup', 'rsp-developers', 'gst-support']) {
      await expect(s.service.updateGroup('lab', { newName: taken }, by), taken).rejects.toMatchObject({
        code: 'already-exists',
        field: 'newName',
      });
    }
    // A free name whose helper's name is taken.
    await expect(s.service.updateGroup('lab', { newName: 'taken' }, by)).rejects.toMatchObject({
      code: 'already-exists',
      message: 'The group "rsp-taken" already exists',
    });
    expect(await readState(s.root)).toEqual(before);
  });

  it('renames an ordinary group with its helpers and share', async () => {
    const gid = s.service.getGroup('lab')!.gid;
    await s.service.updateGroup('lab', { newName: 'labs' }, by);
    expect(s.service.getGroup('labs')).toMatchObject({ gid });
    for (const name of ['rsp-labs', 'gst-labs']) expect(s.service.getGroup(name), name).not.toBeNull();
    for (const name of ['lab', 'rsp-lab', 'gst-lab']) expect(s.service.getGroup(name), name).toBeNull();
    expect(await readdir(join(s.root, 'home/groups'))).toContain('labs');
    // A name JavaScript objects have is no reason to refuse (it was a TypeError).
    await s.service.updateGroup('labs', { newName: 'constructor' }, by);
    await s.service.updateGroup('constructor', { newName: 'labs' }, by);
    expect(s.service.getGroup('labs')).toMatchObject({ gid });
  });

  it("refuses renaming an account's private group onto an existing group or when it may not be renamed", async () => {
    await run('useradd', ['--prefix', s.root, '-U', 'probe']);
    await run('useradd', ['--prefix', s.root, '-r', '-U', 'pkgsvc']);
    await waitUntil(() => s.service.getAccount('pkgsvc') !== null, 'the accounts made by useradd');
    const before = await readState(s.root);
    // Two groups named "developers" (or "users") were made this way.
    for (const requester of [by, undefined]) {
      await expect(
        s.service.updateAccount('probe', { newLogin: 'developers', renameGroup: true }, { by: requester }),
      ).rejects.toMatchObject({ code: 'already-exists', field: 'newLogin' });
    }
    await expect(s.service.renameAccount('probe', 'users', { renameGroup: true })).rejects.toMatchObject({
      code: 'permission-denied',
      field: 'newLogin',
      messageKey: 'groups.protection.rename.ownName',
    });
    await expect(s.service.renameAccount('pkgsvc', 'pkgsvc2', { renameGroup: true })).rejects.toMatchObject({
      code: 'permission-denied',
      field: 'renameGroup',
      messageKey: 'groups.protection.rename.system',
    });
    expect(await readState(s.root)).toEqual(before);
    await s.service.renameAccount('probe', 'probed', { renameGroup: true });
    expect(s.service.getGroup('probed')).toMatchObject({ gid: s.service.getAccount('probed')!.gid });
  });

  it('refuses renaming, with an account, a group that has roles: its helpers and share would stay behind', async () => {
    await s.service.createGroup({ name: 'crew' }, by);
    await run('useradd', ['--prefix', s.root, '-g', 'crew', 'crew']);
    await waitUntil(() => s.service.getAccount('crew') !== null, 'the account made by useradd');
    const before = await readState(s.root);
    await expect(s.service.renameAccount('crew', 'crew2', { renameGroup: true })).rejects.toMatchObject({
      code: 'permission-denied',
      field: 'renameGroup',
      messageKey: 'groups.protection.rename.privateWithRoles',
    });
    expect(await readState(s.root)).toEqual(before);
  });
});
