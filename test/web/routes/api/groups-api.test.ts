import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { useApiTestApp } from '../../../helpers/test-app.ts';
import { digestTree } from '../../../core/accounts/tree-digest.ts';
import { setFaultPoint } from '../../../../server/core/accounts/directory-steps.ts';
import { waitUntil } from '../../../helpers/wait-until.ts';

const run = promisify(execFile);

const api = useApiTestApp();
const { call, digestEtc } = api;

// Waits for the shares' watcher to be idle: a permissive switch answers once its share's
// directory is set, and the rest of its tree (and the repairs journal, etc/licorn) follows
// in the background, by design. A snapshot of the tree is taken once that is done.
async function waitForSharesIdle(): Promise<void> {
  const { shares } = api.t.app.core;
  const isIdle = () => {
    const { repairs, scanning, queued } = shares.getFigures();
    return repairs === 0 && scanning === 0 && queued === 0;
  };
  await waitUntil(isIdle, 'the repairs of the shares', 30_000);
  await shares.settle();
}

describe('the groups API', () => {
  it('lists groups with their responsibles and guests, for admins only', async () => {
    const { groups } = (await call(api.admin, 'GET', '/api/v1/groups')).json();
    const developers = groups.find((group: { name: string }) => group.name === 'developers');
    expect(developers).toMatchObject({
      responsibles: expect.arrayContaining(['blefevre']),
      guests: expect.any(Array),
      sharedDirectory: '/home/groups/developers',
      version: expect.any(String),
    });
    expect(groups.find((group: { name: string }) => group.name === 'admins')).toMatchObject({
      responsibles: null,
      sharedDirectory: null,
    });
    expect((await call(api.member, 'GET', '/api/v1/groups')).statusCode).toBe(403);
  });

  it('creates, describes, renames, gives roles and deletes a standard group', async () => {
    const created = await call(api.admin, 'POST', '/api/v1/groups', { name: 'apiteam', description: 'From the API' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      name: 'apiteam',
      description: 'From the API',
      responsibles: [],
      guests: [],
    });
    expect(await readdir(join(api.t.sandbox.root, 'home/groups'))).toContain('apiteam');
    const withRole = await call(api.admin, 'PUT', '/api/v1/groups/apiteam/roles/dnguyen', { role: 'responsible' });
    expect(withRole.json().responsibles).toEqual(['dnguyen']);
    const renamed = await call(api.admin, 'PATCH', '/api/v1/groups/apiteam', {
      version: withRole.json().version,
      newName: 'apicrew',
      description: 'Renamed',
    });
    expect(renamed.json()).toMatchObject({ name: 'apicrew', description: 'Renamed', responsibles: ['dnguyen'] });
    const stale = await call(api.admin, 'PATCH', '/api/v1/groups/apicrew', {
      version: created.json().version,
      description: 'Lost',
    });
    expect(stale.statusCode).toBe(409);
    const deleted = await call(api.admin, 'DELETE', '/api/v1/groups/apicrew');
    expect(deleted.json().archive).toMatch(/apicrew/);
    expect(api.t.app.core.accounts.getGroup('rsp-apicrew')).toBeNull();
  });

  it("refuses protected groups, helper groups and bad names with the core's reason, changing nothing", async () => {
    const before = await digestEtc();
    const cases: [string, string, object | undefined, number, string][] = [
      ['DELETE', '/api/v1/groups/admins', undefined, 403, 'protected'],
      ['DELETE', '/api/v1/groups/rsp-developers', undefined, 403, 'holds the responsibles of the group developers'],
      ['DELETE', '/api/v1/groups/users', undefined, 403, 'protected'],
      ['POST', '/api/v1/groups', { name: 'Bad Name' }, 400, 'The group name "Bad Name" is not valid (it has capital'],
      ['POST', '/api/v1/groups', { name: 'developers' }, 409, 'The group developers already exists'],
      ['PUT', '/api/v1/groups/admins/roles/dnguyen', { role: 'guest' }, 400, 'not a standard Licorn group'],
      ['PUT', '/api/v1/groups/admins/roles/blefevre', { role: 'none' }, 403, 'Nobody is removed from "admins"'],
      ['PUT', '/api/v1/groups/developers/roles/dnguyen', { role: 'boss' }, 400, 'role'],
    ];
    for (const [method, url, payload, status, message] of cases) {
      const response = await call(api.admin, method as 'POST', url, payload);
      expect(response.statusCode, url).toBe(status);
      expect(response.json().message, url).toContain(message);
    }
    const admins = (await call(api.admin, 'GET', '/api/v1/groups/admins')).json();
    expect(
      (await call(api.admin, 'PATCH', '/api/v1/groups/admins', { version: admins.version, newName: 'bosses' }))
        .statusCode,
    ).toBe(403);
    expect(await digestEtc()).toBe(before);
  });

  it("refuses an admin deleting Licorn's own, restricted, helper and system groups (core's reason)", async () => {
    expect((await call(api.admin, 'POST', '/api/v1/groups', { name: 'pkgsys', system: true })).statusCode).toBe(201);
    const before = await digestEtc();
    const cases: [string, string][] = [
      ['admins', 'The group "admins" is protected and cannot be deleted: its members administer the machine'],
      ['licorn-wmi', 'The group "licorn-wmi" is protected and cannot be deleted: its members manage the accounts'],
      ['sudo', 'The group "sudo" is protected and cannot be deleted: its members may run commands as root'],
      ['users', 'The group "users" is protected and cannot be deleted'],
      ['daemon', 'The group "daemon" is a restricted group (GID 1), never touched through the interface'],
      [
        'rsp-developers',
        'The group "rsp-developers" holds the responsibles of the group developers: delete developers',
      ],
      ['gst-developers', 'The group "gst-developers" holds the guests of the group developers: delete developers'],
      ['pkgsys', 'The group "pkgsys" is a system group'],
    ];
    for (const [name, message] of cases) {
      const response = await call(api.admin, 'DELETE', `/api/v1/groups/${name}`);
      expect(response.statusCode, name).toBe(403);
      expect(response.json(), name).toMatchObject({ code: 'permission-denied', field: 'name' });
      expect(response.json().message, name).toContain(message);
    }
    expect(await digestEtc()).toBe(before);
    // The group's page says the same words instead of offering Delete.
    const page = await api.t.app.inject({
      method: 'GET',
      url: '/groups/pkgsys',
      headers: { cookie: api.admin.cookie },
    });
    expect(page.body).toMatch(/id="group-delete-refusal">The group &quot;pkgsys&quot; is a system group/);
  });

  it("refuses an admin renaming the groups it may not delete, with the core's reason and key", async () => {
    expect((await call(api.admin, 'POST', '/api/v1/groups', { name: 'pkgsvc', system: true })).statusCode).toBe(201);
    const before = await digestEtc();
    const cases: [string, string, string][] = [
      ['acl', 'groups.protection.rename.protected', `"acl" is protected and cannot be renamed: it owns every group's`],
      ['admins', 'groups.protection.rename.protected', '"admins" is protected and cannot be renamed'],
      ['users', 'groups.protection.rename.protected', '"users" is protected and cannot be renamed'],
      ['licorn-wmi', 'groups.protection.rename.protected', '"licorn-wmi" is protected and cannot be renamed'],
      ['daemon', 'groups.protection.restricted', '"daemon" is a restricted group (GID 1)'],
      ['rsp-developers', 'groups.protection.rename.helper', 'rename developers instead'],
      ['gst-developers', 'groups.protection.rename.helper', 'rename developers instead'],
      ['systemd-network', 'groups.protection.rename.system', 'it is never renamed through the interface'],
      ['pkgsvc', 'groups.protection.rename.system', 'it is never renamed through the interface'],
    ];
    for (const [name, messageKey, message] of cases) {
      const { version } = (await call(api.admin, 'GET', `/api/v1/groups/${name}`)).json();
      const response = await call(api.admin, 'PATCH', `/api/v1/groups/${name}`, { version, newName: `zz${name}` });
      expect(response.statusCode, name).toBe(403);
      expect(response.json(), name).toMatchObject({ code: 'permission-denied', field: 'name', messageKey });
      expect(response.json().message, name).toContain(message);
    }
    // In the reader's language.
    const acl = (await call(api.admin, 'GET', '/api/v1/groups/acl')).json();
    const french = await api.t.app.inject({
      method: 'PATCH',
      url: '/api/v1/groups/acl',
      headers: { cookie: api.admin.cookie, 'x-csrf-token': api.admin.csrf, 'accept-language': 'fr' },
      payload: { version: acl.version, newName: 'zzacl' },
    });
    expect(french.json().message).toBe(
      'Le groupe «\u00a0acl\u00a0» est protégé et ne peut pas être renommé\u00a0: il possède le dossier partagé de ' +
        'chaque groupe',
    );
    // Onto an existing group (a restricted one's, a helper's): refused as taken.
    const support = (await call(api.admin, 'GET', '/api/v1/groups/support')).json();
    for (const taken of ['nogroup', 'root', 'rsp-support', 'gst-developers', 'developers']) {
      const response = await call(api.admin, 'PATCH', '/api/v1/groups/support', {
        version: support.version,
        newName: taken,
      });
      expect(response.statusCode, taken).toBe(taken === 'root' ? 403 : 409);
      expect(response.json().field, taken).toBe('newName');
    }
    expect(await digestEtc()).toBe(before);
    // The page hides Rename for them and says why, as it does for Delete.
    for (const [name, words] of [
      ['acl', 'The group &quot;acl&quot; is protected and cannot be renamed'],
      ['gst-developers', 'The group &quot;gst-developers&quot; holds the guests of the group developers: rename'],
    ]) {
      const page = await api.t.app.inject({
        method: 'GET',
        url: `/groups/${name}`,
        headers: { cookie: api.admin.cookie },
      });
      expect(page.body, name).not.toContain('data-group-form="rename"');
      expect(page.body, name).toContain(`id="group-rename-refusal">${words}`);
    }
    const ordinary = await api.t.app.inject({
      method: 'GET',
      url: '/groups/support',
      headers: { cookie: api.admin.cookie },
    });
    expect(ordinary.body).toContain('data-group-form="rename"');
    expect(ordinary.body).not.toContain('group-rename-refusal');
  });

  it("makes accounts members of a group without roles, or not, from the group's side", async () => {
    const added = await call(api.admin, 'PUT', '/api/v1/groups/plugdev/roles/dnguyen', { role: 'member' });
    expect(added.statusCode).toBe(200);
    expect(added.json()).toMatchObject({
      name: 'plugdev',
      members: expect.arrayContaining(['dnguyen']),
      responsibles: null,
    });
    const removed = await call(api.admin, 'PUT', '/api/v1/groups/plugdev/roles/dnguyen', { role: 'none' });
    expect(removed.json().members).not.toContain('dnguyen');
    // An admin through licorn-wmi, not in admins, may not add anyone to admins.
    expect(
      (await call(api.admin, 'PUT', '/api/v1/groups/licorn-wmi/roles/dnguyen', { role: 'member' })).statusCode,
    ).toBe(200);
    const wmiAdmin = await api.session('dnguyen');
    const before = await digestEtc();
    const refused = await call(wmiAdmin, 'PUT', '/api/v1/groups/admins/roles/hpetit', { role: 'member' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().message).toContain('Only members of "admins" may put an account into "admins"');
    expect(await digestEtc()).toBe(before);
    await call(api.admin, 'PUT', '/api/v1/groups/licorn-wmi/roles/dnguyen', { role: 'none' });
  });

  it('makes a standard group permissive or not, and refuses it for a group without a share', async () => {
    const developers = (await call(api.admin, 'GET', '/api/v1/groups/developers')).json();
    expect(developers.permissive).toBe(true);
    const changed = await call(api.admin, 'PATCH', '/api/v1/groups/developers', {
      version: developers.version,
      permissive: false,
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().permissive).toBe(false);
    // A system group (not a restricted one: nobody changes those) without a share.
    const system = 'systemd-network';
    const refused = await call(api.admin, 'PATCH', `/api/v1/groups/${system}`, {
      version: (await call(api.admin, 'GET', `/api/v1/groups/${system}`)).json().version,
      permissive: true,
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({
      field: 'permissive',
      message: expect.stringContaining('has no shared directory'),
    });
    expect(
      (await call(api.admin, 'GET', '/api/v1/groups'))
        .json()
        .groups.find((group: { name: string }) => group.name === system).permissive,
    ).toBeNull();
  });
});

describe('what a group request may reach (issue 11)', () => {
  it('never deletes or renames a restricted group, and refuses before writing anything', async () => {
    const before = await digestEtc();
    const { version } = (await call(api.admin, 'GET', '/api/v1/groups/news')).json();
    const renamed = await call(api.admin, 'PATCH', '/api/v1/groups/news', {
      version,
      description: 'first',
      newName: 'gazette',
    });
    expect(renamed.statusCode).toBe(403);
    expect(renamed.json().message).toContain('restricted group');
    const deleted = await call(api.admin, 'DELETE', '/api/v1/groups/daemon');
    expect(deleted.statusCode).toBe(403);
    expect(deleted.json().message).toContain('restricted group');
    expect(await digestEtc()).toBe(before);
  });

  it("keeps a new share clear of accounts' homes", async () => {
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(api.t.sandbox.root, 'home/groups'), { recursive: true });
    // An account whose home is where the share of a new group would go.
    await call(api.admin, 'POST', '/api/v1/accounts', { login: 'sharer', password: null, createHome: false });
    const { version } = (await call(api.admin, 'GET', '/api/v1/accounts/sharer')).json();
    // The path rule refuses such a home in the first place.
    const pointed = await call(api.admin, 'PATCH', '/api/v1/accounts/sharer', {
      version,
      home: '/home/groups/newteam',
    });
    expect(pointed.statusCode).toBe(400);
    expect(pointed.json().message).toContain('group shares');
  });
});

describe('a group PATCH is all or nothing (issue 11, red team HIGH 4)', () => {
  const getAcls = async (): Promise<string> => {
    const share = join(api.t.sandbox.root, 'home/groups');
    const { stdout } = await run('getfacl', ['--recursive', '--physical', '--numeric', '--absolute-names', share]);
    return stdout;
  };
  const getTree = () => digestTree(api.t.sandbox.root, (path) => path.startsWith('var/'));

  it('refuses a taken or malformed newName before any write: files, modes and ACLs stay as they were', async () => {
    const support = (await call(api.admin, 'GET', '/api/v1/groups/support')).json();
    expect(support.permissive).toBe(false);
    await waitForSharesIdle();
    const [tree, acls] = [await getTree(), await getAcls()];
    const cases: [object, number, string][] = [
      [{ newName: 'marketing' }, 409, 'already exists'],
      [{ newName: 'Bad Name' }, 400, 'The new name "Bad Name" is not valid'],
      [{ newName: 'rsp-developers' }, 409, 'kept for the responsibles of the group developers'],
    ];
    for (const [change, status, message] of cases) {
      const body = { version: support.version, description: 'HALF WRITTEN', permissive: true, ...change };
      const response = await call(api.admin, 'PATCH', '/api/v1/groups/support', body);
      expect(response.statusCode, JSON.stringify(change)).toBe(status);
      const refusal = { field: 'newName', message: expect.stringContaining(message) };
      expect(response.json(), JSON.stringify(change)).toMatchObject(refusal);
      expect(await getAcls()).toBe(acls);
      expect(await getTree()).toBe(tree);
    }
    const after = (await call(api.admin, 'GET', '/api/v1/groups/support')).json();
    expect(after).toMatchObject({ permissive: false, version: support.version });
  });

  it("undoes the share's new ACL and its rename when a later step fails", async () => {
    const support = (await call(api.admin, 'GET', '/api/v1/groups/support')).json();
    await waitForSharesIdle();
    const [tree, acls] = [await getTree(), await getAcls()];
    // Step 1 moves the share, 2 sets its ACL, 3 and 4 stage the account files: each failure undoes all.
    for (let fault = 1; fault <= 4; fault += 1) {
      setFaultPoint(fault);
      const body = { version: support.version, description: 'x', permissive: true, newName: 'helpdesk' };
      const response = await call(api.admin, 'PATCH', '/api/v1/groups/support', body);
      setFaultPoint(null);
      expect(response.statusCode, `fault ${fault}`).toBeGreaterThanOrEqual(400);
      expect(await getAcls(), `fault ${fault}`).toBe(acls);
      expect(await getTree(), `fault ${fault}`).toBe(tree);
    }
    const change = { description: 'Help', permissive: true, newName: 'helpdesk' };
    const done = await call(api.admin, 'PATCH', '/api/v1/groups/support', { version: support.version, ...change });
    expect(done.json()).toMatchObject({
      name: 'helpdesk',
      description: 'Help',
      permissive: true,
      sharedDirectory: '/home/groups/helpdesk',
    });
    const undo = { description: support.description ?? '', permissive: false, newName: 'support' };
    const back = await call(api.admin, 'PATCH', '/api/v1/groups/helpdesk', { version: done.json().version, ...undo });
    expect(back.statusCode).toBe(200);
    expect(await getAcls()).toBe(acls);
  });
});

describe("a share's rule follows the committed group (issue 16)", () => {
  // The share's own directory as getfacl says it: flags (sticky) and the group's default entry.
  const getShareDirectory = async (name: string, gid: number): Promise<string> => {
    const share = join(api.t.sandbox.root, 'home/groups', name);
    const { stdout } = await run('getfacl', ['--numeric', '--absolute-names', share]);
    const sticky = /^# flags: ..t/m.test(stdout) ? 'sticky' : 'not sticky';
    return `${sticky} ${stdout.match(new RegExp(`^default:group:${gid}:...`, 'm'))?.[0]}`;
  };

  it('answers a rename with a permissive switch with the directory as committed, each way', async () => {
    const created = (await call(api.admin, 'POST', '/api/v1/groups', { name: 'flipteam' })).json();
    const { gid } = api.t.app.core.accounts.getGroup('flipteam')!;
    expect(created.permissive).toBe(false);
    await waitForSharesIdle();
    const body = { version: created.version, newName: 'flopteam', permissive: true };
    const flopped = await call(api.admin, 'PATCH', '/api/v1/groups/flipteam', body);
    expect(flopped.statusCode).toBe(200);
    // Not the old rule put back by the watcher: the one committed.
    expect(await getShareDirectory('flopteam', gid)).toBe(`not sticky default:group:${gid}:rwx`);
    const back = { version: flopped.json().version, newName: 'flipteam', permissive: false };
    expect((await call(api.admin, 'PATCH', '/api/v1/groups/flopteam', back)).statusCode).toBe(200);
    expect(await getShareDirectory('flipteam', gid)).toBe(`sticky default:group:${gid}:r-x`);
    await waitForSharesIdle();
    expect(await getShareDirectory('flipteam', gid)).toBe(`sticky default:group:${gid}:r-x`);
    expect((await call(api.admin, 'DELETE', '/api/v1/groups/flipteam')).statusCode).toBe(200);
  });
});

describe('a leftover shared directory (red team LOW 12)', () => {
  it('is never taken over by a new or renamed group: refused, naming it, nothing changed', async () => {
    const { mkdir, writeFile } = await import('node:fs/promises');
    const leftover = join(api.t.sandbox.root, 'home/groups/orphang');
    await mkdir(leftover);
    await writeFile(join(leftover, 'private.txt'), 'old files\n', { mode: 0o600 });
    await waitForSharesIdle();
    const tree = await digestTree(api.t.sandbox.root, (path) => path.startsWith('var/'));
    const created = await call(api.admin, 'POST', '/api/v1/groups', { name: 'orphang' });
    expect(created.statusCode).toBe(409);
    const taken = expect.stringContaining('/home/groups/orphang already exists');
    expect(created.json()).toMatchObject({ field: 'name', message: taken });
    expect(created.json().message).toContain('archive or remove it first');
    const marketing = (await call(api.admin, 'GET', '/api/v1/groups/marketing')).json();
    const body = { version: marketing.version, newName: 'orphang' };
    const renamed = await call(api.admin, 'PATCH', '/api/v1/groups/marketing', body);
    expect(renamed.statusCode).toBe(409);
    expect(renamed.json()).toMatchObject({
      field: 'newName',
      message: expect.stringContaining('/home/groups/orphang'),
    });
    expect(await digestTree(api.t.sandbox.root, (path) => path.startsWith('var/'))).toBe(tree);
    expect(api.t.app.core.accounts.getGroup('orphang')).toBeNull();
  });
});
