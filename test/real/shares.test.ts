import { beforeAll, describe, expect, it } from 'vitest';
import { realAdmin, useRealMachine } from '../helpers/real-machine.ts';
import { callApi, logIn, type WebSession } from '../helpers/real-machine-client.ts';

// Issue 12, items 7 and 8 on the real root: a share made through the WMI is owned by
// Licorn's `acl` group (created then, Debian has none), and in a non-permissive share the
// kernel keeps deletes and renames to a file's owner; permissive lifts that. Issue 16: its
// members get their ~/G link.
const real = useRealMachine();
let admin: WebSession;
beforeAll(async () => {
  admin = (await logIn(real.machine, realAdmin.login, realAdmin.password)).session!;
});

// Runs `sh -c script` as `login` with its primary group and groups from the namespace's /etc.
async function runAs(login: string, script: string): Promise<boolean> {
  const gid = (await real.machine.getent('passwd', login))!.split(':')[3]!;
  const asLogin = ['setpriv', `--reuid=${login}`, `--regid=${gid}`, '--init-groups', '--'];
  const result = await real.machine.run([...asLogin, 'sh', '-c', script]);
  if (/setpriv:/.test(result.stderr)) throw new Error(result.stderr);
  return result.code === 0;
}

describe('a share on the real machine', () => {
  it('is owned by the acl group, sticky unless permissive: members delete only their own files', async () => {
    expect(await real.machine.getent('group', 'acl')).toBeNull();
    expect((await callApi(real.machine, admin, 'POST', '/api/v1/groups', { name: 'rmcrew' })).status).toBe(201);
    expect(await real.machine.getent('group', 'acl')).toMatch(/^acl:x:\d{3}:$/);
    for (const login of ['rmalice', 'rmbob']) {
      expect((await callApi(real.machine, admin, 'POST', '/api/v1/accounts', { login, password: null })).status).toBe(
        201,
      );
      const role = await callApi(real.machine, admin, 'PUT', `/api/v1/groups/rmcrew/roles/${login}`, {
        role: 'member',
      });
      expect(role.status).toBe(200);
    }
    const share = '/home/groups/rmcrew';
    expect((await real.machine.run(['stat', '-c', '%U:%G %a', share])).stdout.trim()).toBe('root:acl 3770');
    // Each member got ~/rmcrew, a link to the share (issue 16), root's: never chowned (red team F2).
    for (const login of ['rmalice', 'rmbob']) {
      const link = await real.machine.run(['stat', '-c', '%F %U %N', `/home/${login}/rmcrew`]);
      expect(link.stdout.trim()).toBe(`symbolic link root '/home/${login}/rmcrew' -> '${share}'`);
    }
    expect(await runAs('rmalice', `echo mine > ${share}/alice.txt`)).toBe(true);
    expect(await runAs('rmbob', `rm -f ${share}/alice.txt`)).toBe(false);
    expect(await runAs('rmbob', `echo x > ${share}/b && mv -f ${share}/b ${share}/alice.txt`)).toBe(false);
    expect((await real.machine.run(['cat', `${share}/alice.txt`])).stdout).toBe('mine\n');

    const { json: group } = await callApi(real.machine, admin, 'GET', '/api/v1/groups/rmcrew');
    const patch = { version: group.version, permissive: true };
    expect((await callApi(real.machine, admin, 'PATCH', '/api/v1/groups/rmcrew', patch)).status).toBe(200);
    expect((await real.machine.run(['stat', '-c', '%a', share])).stdout.trim()).toBe('2770');
    expect(await runAs('rmbob', `mv -f ${share}/b ${share}/alice.txt`)).toBe(true);
  });
});
