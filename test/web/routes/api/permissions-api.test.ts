import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openApiSession, useApiTestApp, type ApiSession } from '../../../helpers/test-app.ts';

// The red team's findings on Licorn's rules (CRITICAL 1–3, MEDIUM 6–7): an account's groups
// are its primary group, its supplementary groups and its roles, wherever a rule looks, and
// the rules are applied inside the transaction, on the files as they are then.
const api = useApiTestApp();
const { call, digestEtc } = api;
let wmi: ApiSession;

const create = async (login: string, extra: object = {}) => {
  const response = await call(api.admin, 'POST', '/api/v1/accounts', {
    login,
    password: null,
    createHome: false,
    ...extra,
  });
  expect(response.statusCode, response.body).toBe(201);
};
const versionOf = async (login: string): Promise<string> =>
  (await call(api.admin, 'GET', `/api/v1/accounts/${login}`)).json().version;
const shadowLine = async (login: string): Promise<string | undefined> =>
  (await readFile(join(api.t.sandbox.root, 'etc/shadow'), 'utf8'))
    .split('\n')
    .find((line) => line.startsWith(`${login}:`));

beforeAll(async () => {
  // dnguyen administers through licorn-wmi, without being in admins.
  expect((await call(api.admin, 'PUT', '/api/v1/groups/licorn-wmi/roles/dnguyen', { role: 'member' })).statusCode).toBe(
    200,
  );
  wmi = await api.session('dnguyen');
});

describe("the primary group is one of the account's groups (CRITICAL 1)", () => {
  it('refuses a licorn-wmi member an account whose primary group is an admin or restricted group', async () => {
    const before = await digestEtc();
    for (const primaryGroup of ['admins', 'sudo', 'licorn-wmi', 'shadow', 'messagebus']) {
      const response = await call(wmi, 'POST', '/api/v1/accounts', {
        login: 'puppet1',
        password: 'Puppet1pass!x',
        primaryGroup,
      });
      expect(response.statusCode, primaryGroup).toBe(403);
      expect(response.json()).toMatchObject({ code: 'permission-denied', field: 'primaryGroup' });
      expect(response.json().message).toContain(`"${primaryGroup}"`);
    }
    expect(await digestEtc()).toBe(before);
    // The machine's default primary group, and a standard group with a role, are fine.
    const plain = await call(wmi, 'POST', '/api/v1/accounts', {
      login: 'puppet2',
      password: null,
      createHome: false,
      roles: { developers: 'guest' },
    });
    expect(plain.statusCode, plain.body).toBe(201);
    expect(plain.json().account).toMatchObject({ primaryGroup: 'users', groups: ['gst-developers'] });
  });

  it("refuses a licorn-wmi member moving an account's primary group into admins", async () => {
    await create('plain1');
    const before = await digestEtc();
    const response = await call(wmi, 'PATCH', '/api/v1/accounts/plain1', {
      version: await versionOf('plain1'),
      primaryGroup: 'admins',
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().field).toBe('primaryGroup');
    expect(await digestEtc()).toBe(before);
  });

  it('takes nobody out of admins through the primary group, not even for an admin', async () => {
    await create('puppet3', { primaryGroup: 'admins' });
    const before = await digestEtc();
    const response = await call(api.admin, 'PATCH', '/api/v1/accounts/puppet3', {
      version: await versionOf('puppet3'),
      primaryGroup: 'users',
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().message).toContain('Nobody is removed from "admins"');
    expect(await digestEtc()).toBe(before);
  });
});

describe('CSV import applies the rules to every row, dry run included (CRITICAL 2)', () => {
  const csv = 'login,primaryGroup,groups\ncsvok,,developers\ncsvadm,,admins\ncsvsudo,sudo,\ncsvwmi,,licorn-wmi\n';

  it('reports each refused row in the dry run, imports nothing; with skipInvalid only allowed rows', async () => {
    const dry = await call(wmi, 'POST', '/api/v1/accounts/import', { csv, dryRun: true });
    expect(dry.statusCode).toBe(200);
    expect(dry.json().problems.map((problem: { row: number }) => problem.row)).toEqual([2, 3, 4]);
    for (const problem of dry.json().problems) expect(problem.message).toContain('Only members of "admins"');
    const before = await digestEtc();
    const refused = await call(wmi, 'POST', '/api/v1/accounts/import', { csv, createHomes: false });
    expect(refused.statusCode).toBe(400);
    expect(await digestEtc()).toBe(before);
    const skipped = await call(wmi, 'POST', '/api/v1/accounts/import', { csv, createHomes: false, skipInvalid: true });
    expect(skipped.statusCode).toBe(200);
    expect(skipped.json().created).toEqual(['csvok']);
    // An admin may.
    const byAdmin = await call(api.admin, 'POST', '/api/v1/accounts/import', {
      csv: csv.replace('csvok,,developers\n', ''),
      dryRun: true,
    });
    expect(byAdmin.json().problems).toEqual([]);
  });
});

describe('admin, restricted and system groups are for admins only (CRITICAL 3)', () => {
  it('refuses a licorn-wmi member putting an account into or out of them, on every road', async () => {
    await create('tgt1');
    await create('tgt2', { groups: ['plugdev'] });
    const before = await digestEtc();
    const refusals = [
      await call(wmi, 'PATCH', '/api/v1/accounts/tgt1', { version: await versionOf('tgt1'), groups: ['sudo'] }),
      await call(wmi, 'PATCH', '/api/v1/accounts/tgt2', { version: await versionOf('tgt2'), groups: [] }),
      await call(wmi, 'POST', '/api/v1/accounts', { login: 'tgt3', password: null, groups: ['adm'] }),
      await call(wmi, 'PUT', '/api/v1/groups/plugdev/roles/tgt2', { role: 'none' }),
      ...(await Promise.all(
        ['licorn-wmi', 'shadow', 'disk', 'adm', 'sudo', 'root'].map((group) =>
          call(wmi, 'PUT', `/api/v1/groups/${group}/roles/tgt1`, { role: 'member' }),
        ),
      )),
    ];
    for (const response of refusals) {
      expect(response.statusCode, response.body).toBe(403);
      expect(response.json().message).toContain('Only members of "admins"');
    }
    expect(await digestEtc()).toBe(before);
    // A standard group and its roles are the licorn-wmi members' to give.
    expect((await call(wmi, 'PUT', '/api/v1/groups/developers/roles/tgt1', { role: 'responsible' })).statusCode).toBe(
      200,
    );
    expect((await call(api.admin, 'PUT', '/api/v1/groups/disk/roles/tgt1', { role: 'member' })).statusCode).toBe(200);
  });

  it('lets only admins create system groups, and nobody a restricted GID', async () => {
    const before = await digestEtc();
    for (const [who, body] of [
      [wmi, { name: 'g299', gid: 299, system: true }],
      [api.admin, { name: 'g299', gid: 299, system: true }],
      [wmi, { name: 'sysg', system: true }],
      [wmi, { name: 'sysg', gid: 5000, system: true }],
    ] as const) {
      const response = await call(who, 'POST', '/api/v1/groups', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(403);
    }
    expect(await digestEtc()).toBe(before);
    expect((await call(api.admin, 'POST', '/api/v1/groups', { name: 'sysg', system: true })).statusCode).toBe(201);
    expect((await call(wmi, 'POST', '/api/v1/groups', { name: 'stdg' })).statusCode).toBe(201);
  });

  it('changes restricted groups for nobody, system and admin groups for admins only', async () => {
    const patch = async (who: ApiSession, name: string) =>
      call(who, 'PATCH', `/api/v1/groups/${name}`, {
        version: (await call(api.admin, 'GET', `/api/v1/groups/${name}`)).json().version,
        description: 'changed',
      });
    const before = await digestEtc();
    expect((await patch(api.admin, 'root')).statusCode).toBe(403);
    expect((await patch(wmi, 'systemd-network')).statusCode).toBe(403);
    expect((await patch(wmi, 'licorn-wmi')).statusCode).toBe(403);
    expect(await digestEtc()).toBe(before);
    expect((await patch(api.admin, 'systemd-network')).statusCode).toBe(200);
  });
});

describe('privileged group names and system groups (second red-team round)', () => {
  it('lets only admins create or rename a group into a name sudoers or daemons trust', async () => {
    const before = await digestEtc();
    for (const name of ['admin', 'wheel', 'docker', 'kvm', 'lpadmin']) {
      const created = await call(wmi, 'POST', '/api/v1/groups', { name });
      expect(created.statusCode, name).toBe(403);
      expect(created.json()).toMatchObject({ code: 'permission-denied', field: 'name' });
    }
    const version = (await call(api.admin, 'GET', '/api/v1/groups/developers')).json().version;
    const renamed = await call(wmi, 'PATCH', '/api/v1/groups/developers', { version, newName: 'kvm' });
    expect(renamed.statusCode).toBe(403);
    expect(renamed.json()).toMatchObject({ field: 'newName' });
    expect(await digestEtc()).toBe(before);
    expect((await call(api.admin, 'POST', '/api/v1/groups', { name: 'docker' })).statusCode).toBe(201);
    // Once it exists, joining it is for admins only too.
    const join = await call(wmi, 'PUT', '/api/v1/groups/docker/roles/puppet2', { role: 'member' });
    expect(join.statusCode).toBe(403);
  });

  it('deletes a system group for nobody, admins included; a standard group stays theirs', async () => {
    expect((await call(api.admin, 'POST', '/api/v1/groups', { name: 'sysdock', system: true })).statusCode).toBe(201);
    const before = await digestEtc();
    for (const session of [wmi, api.admin]) {
      const refused = await call(session, 'DELETE', '/api/v1/groups/sysdock');
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toMatchObject({ code: 'permission-denied', field: 'name' });
      expect(refused.json().message).toMatch(/^The group "sysdock" is a system group \(GID \d+\)/);
    }
    expect(await digestEtc()).toBe(before);
    expect((await call(wmi, 'POST', '/api/v1/groups', { name: 'stdgone' })).statusCode).toBe(201);
    expect((await call(wmi, 'DELETE', '/api/v1/groups/stdgone')).statusCode).toBe(200);
  });
});

describe('the version and the rules are checked inside the transaction (MEDIUM 6, 7)', () => {
  it('answers one of two racing PATCHes of the same version with 409', async () => {
    await create('race1');
    const version = await versionOf('race1');
    const answers = await Promise.all(
      ['One', 'Two'].map((name) =>
        call(api.admin, 'PATCH', '/api/v1/accounts/race1', { version, fullName: `Race ${name}` }),
      ),
    );
    expect(answers.map((answer) => answer.statusCode).sort()).toEqual([200, 409]);
    expect(answers.find((answer) => answer.statusCode === 409)!.json().field).toBe('version');
  });

  // Its groups are part of the account's version: the change based on the account as it was is refused.
  it('refuses a password change whose target became an admin while it was hashing, writing nothing', async () => {
    await create('promo0');
    const before = await shadowLine('promo0');
    const [changed, promoted] = await Promise.all([
      call(wmi, 'PATCH', '/api/v1/accounts/promo0', {
        version: await versionOf('promo0'),
        password: 'Promo0-pass-1234',
      }),
      call(api.admin, 'PUT', '/api/v1/groups/admins/roles/promo0', { role: 'member' }),
    ]);
    expect(promoted.statusCode).toBe(200);
    expect(changed.statusCode, changed.body).toBe(409);
    expect(await shadowLine('promo0')).toBe(before);
  });

  it('refuses a change by a member demoted while it was hashing, writing nothing', async () => {
    await create('promo1');
    await create('wmi2', { password: 'Wmi2-pass-12345', groups: ['licorn-wmi'] });
    const actor = await openApiSession(api.t.app, 'wmi2', 'Wmi2-pass-12345');
    const before = await shadowLine('promo1');
    const [changed, removed] = await Promise.all([
      call(actor, 'PATCH', '/api/v1/accounts/promo1', {
        version: await versionOf('promo1'),
        password: 'Promo1-pass-1234',
      }),
      call(api.admin, 'PUT', '/api/v1/groups/licorn-wmi/roles/wmi2', { role: 'none' }),
    ]);
    expect(removed.statusCode).toBe(200);
    expect(changed.statusCode, changed.body).toBe(403);
    expect(changed.json().message).toContain('no longer');
    expect(await shadowLine('promo1')).toBe(before);
  });

  it('refuses changes sent at once after licorn-wmi was taken away by an edit of etc/group', async () => {
    await create('late2');
    for (const name of ['lategone', 'latedesc']) {
      expect((await call(api.admin, 'POST', '/api/v1/groups', { name })).statusCode).toBe(201);
    }
    const descVersion = (await call(api.admin, 'GET', '/api/v1/groups/latedesc')).json().version;
    const requests: [string, 'POST' | 'DELETE' | 'PATCH', string, object?][] = [
      ['wmi3', 'POST', '/api/v1/accounts', { login: 'late1', password: null, createHome: false }],
      ['wmi4', 'POST', '/api/v1/accounts/bulk', { action: 'lock', logins: ['late2'] }],
      ['wmi5', 'DELETE', '/api/v1/accounts/late2?home=keep'],
      // Groups too (second red-team round: a group DELETE went through 36–90 ms after).
      ['wmi6', 'DELETE', '/api/v1/groups/lategone'],
      ['wmi7', 'PATCH', '/api/v1/groups/latedesc', { version: descVersion, description: 'late' }],
    ];
    for (const [login, method, url, body] of requests) {
      await create(login, { password: 'Wmi3-pass-12345', groups: ['licorn-wmi'] });
      const actor = await openApiSession(api.t.app, login, 'Wmi3-pass-12345');
      const path = join(api.t.sandbox.root, 'etc/group');
      const text = await readFile(path, 'utf8');
      // As `gpasswd -d <login> licorn-wmi` would, before the watcher has told anyone.
      await writeFile(
        path,
        text.replace(
          /^(licorn-wmi:[^:]*:[^:]*:)(.*)$/m,
          (_, head: string, members: string) =>
            head +
            members
              .split(',')
              .filter((member) => member !== login)
              .join(','),
        ),
      );
      const before = await digestEtc();
      const response = await call(actor, method, url, body);
      expect(response.statusCode, `${url} ${response.body}`).toBe(403);
      expect(await digestEtc()).toBe(before);
    }
  });
});
