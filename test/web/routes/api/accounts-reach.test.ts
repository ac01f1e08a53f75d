import { appendFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useApiTestApp } from '../../../helpers/test-app.ts';
import { digestTree } from '../../../core/accounts/tree-digest.ts';

const api = useApiTestApp();
const { auditEntries, call, session } = api;

// Issue 11, items 1–3: what a request may reach, and refusals that change nothing.
describe('paths, restricted accounts and all-or-nothing (issue 11)', () => {
  const tree = () => digestTree(api.t.sandbox.root);
  const get = async (login: string) => (await call(api.admin, 'GET', `/api/v1/accounts/${login}`)).json();
  // An account written into the files as a shell would (useradd does not check the home).
  const addByHand = async (login: string, uid: number, home: string) => {
    const etc = join(api.t.sandbox.root, 'etc');
    await appendFile(join(etc, 'passwd'), `${login}:x:${uid}:100::${home}:/bin/bash\n`);
    await appendFile(join(etc, 'shadow'), `${login}:!:19000:0:99999:7:::\n`);
    const deadline = Date.now() + 5000;
    while (!api.t.app.core.accounts.getAccount(login)) {
      if (Date.now() > deadline) throw new Error(`${login} never appeared`);
      await api.t.app.core.accounts.settle();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };

  it("refuses a home that is a system directory, another's home, a share or the archives (item 1)", async () => {
    await api.t.app.core.accounts.addMember('licorn-wmi', 'dnguyen');
    const who = await session('dnguyen');
    const before = await tree();
    for (const home of [
      '/etc',
      '/',
      '/home',
      '/usr/lib',
      '/home/dnguyen',
      '/home/dnguyen/sub',
      '/home/groups',
      '/home/groups/developers',
      '/home/archives',
      '/home/archives/x',
      '/var/spool/news',
      '/root',
      '/proc/1',
    ]) {
      const created = await call(who, 'POST', '/api/v1/accounts', {
        login: 'etchome',
        password: null,
        createHome: false,
        home,
      });
      expect(created.statusCode, home).toBe(400);
      expect(created.json().field, home).toBe('home');
      const patched = await call(who, 'PATCH', '/api/v1/accounts/hpetit', {
        version: (await get('hpetit')).version,
        home,
      });
      expect(patched.statusCode, home).toBe(400);
      expect(patched.json().field, home).toBe('home');
    }
    // A home that would contain others' homes.
    expect(
      (await call(who, 'POST', '/api/v1/accounts', { login: 'etchome', password: null, home: '/home' })).statusCode,
    ).toBe(400);
    expect(await tree()).toBe(before);
    await api.t.app.core.accounts.removeMember('licorn-wmi', 'dnguyen');
  });

  it('never removes or archives a directory the account does not own, and says so before (item 1)', async () => {
    await addByHand('etchome', 1900, '/etc');
    const plan = await call(api.admin, 'GET', '/api/v1/accounts/etchome/deletion-plan?home=remove');
    expect(plan.statusCode).toBe(200);
    expect(plan.json()).toMatchObject({
      home: '/etc',
      asked: 'remove',
      action: 'keep',
      warning: expect.stringContaining('/etc'),
      // Its response schema keeps the message whole: key, parameters and the request's text.
      warningMessage: { key: expect.any(String), params: { home: expect.anything() }, text: plan.json().warning },
    });
    // The account's page says it before the admin confirms.
    const page = await api.t.app.inject({
      method: 'GET',
      url: '/accounts/etchome',
      headers: { cookie: api.admin.cookie },
    });
    expect(page.body).toMatch(
      /data-home-warning>The home \/etc will be left in place: it is the system directory \/etc/,
    );
    const deleted = await call(api.admin, 'DELETE', '/api/v1/accounts/etchome?home=remove');
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json()).toMatchObject({
      archive: null,
      home: { action: 'keep', warning: expect.stringContaining('left in place') },
    });
    expect((await stat(join(api.t.sandbox.root, 'etc/passwd'))).isFile()).toBe(true);
    await addByHand('sharehome', 1901, '/home/groups/developers');
    const archived = await call(api.admin, 'DELETE', '/api/v1/accounts/sharehome');
    expect(archived.json()).toMatchObject({ archive: null, home: { action: 'keep' } });
    expect((await stat(join(api.t.sandbox.root, 'home/groups/developers'))).isDirectory()).toBe(true);
    expect((await auditEntries()).at(-1)).toMatchObject({
      action: 'account-delete',
      target: 'sharehome',
      outcome: 'done',
      detail: expect.stringContaining('left in place'),
    });
  });

  it('never touches restricted accounts, even for admins; the page offers no refused action (item 2)', async () => {
    const before = await tree();
    for (const login of ['root', 'news', 'nobody']) {
      const deleted = await call(api.admin, 'DELETE', `/api/v1/accounts/${login}`);
      expect(deleted.statusCode, login).toBe(403);
      expect(deleted.json().message).toContain('restricted');
      const locked = await call(api.admin, 'PATCH', `/api/v1/accounts/${login}`, {
        version: (await get(login)).version,
        locked: true,
      });
      expect(locked.statusCode, login).toBe(403);
    }
    expect(
      (await call(api.admin, 'POST', '/api/v1/accounts/bulk', { action: 'lock', logins: ['hpetit', 'root'] }))
        .statusCode,
    ).toBe(403);
    expect((await call(api.admin, 'PUT', '/api/v1/groups/developers/roles/root', { role: 'member' })).statusCode).toBe(
      403,
    );
    expect(await tree()).toBe(before);
    const page = await api.t.app.inject({
      method: 'GET',
      url: '/accounts/root',
      headers: { cookie: api.admin.cookie },
    });
    expect(page.body).toMatch(/<button type="submit" class="button button-danger"[^>]* disabled/);
    expect(page.body).toContain('restricted');
  });

  it('refuses before writing: a create with a bad role, a delete of news (item 3)', async () => {
    const before = await tree();
    const halfmade = await call(api.admin, 'POST', '/api/v1/accounts', {
      login: 'halfmade',
      password: null,
      roles: { nosuchgroup: 'member' },
    });
    expect(halfmade.statusCode).toBe(404);
    expect(api.t.app.core.accounts.getAccount('halfmade')).toBeNull();
    expect((await call(api.admin, 'DELETE', '/api/v1/accounts/news')).statusCode).toBe(403);
    expect(api.t.app.core.accounts.getAccount('news')).not.toBeNull();
    expect(await tree()).toBe(before);
    expect((await auditEntries()).at(-1)).toMatchObject({
      action: 'account-delete',
      target: 'news',
      outcome: 'refused',
    });
    const made = await call(api.admin, 'POST', '/api/v1/accounts', {
      login: 'wholemade',
      password: null,
      roles: { developers: 'responsible' },
    });
    expect(made.statusCode).toBe(201);
    expect(made.json().account.groups).toContain('rsp-developers');
  });
});
