import { beforeAll, describe, expect, it } from 'vitest';
import { realAdmin, useRealMachine } from '../helpers/real-machine.ts';
import { callApi, logIn, type WebSession } from '../helpers/real-machine-client.ts';

// Issue 12, item 1: an empty password never logs in. Debian's pam_unix has `nullok`, so an
// account whose shadow hash is empty opens to anyone (su asks nothing): the WMI must never
// make one by unlocking an account that has no password (as `usermod -U` refuses), and its
// own login refuses an empty password whatever the files say.
const real = useRealMachine();
let admin: WebSession;
beforeAll(async () => {
  admin = (await logIn(real.machine, realAdmin.login, realAdmin.password)).session!;
});

describe('an empty password on the real machine', () => {
  it('refuses to unlock an account made without a password, which stays locked for su and the WMI', async () => {
    const created = await callApi(real.machine, admin, 'POST', '/api/v1/accounts', {
      login: 'rmnopass',
      password: null,
      shell: '/bin/sh',
    });
    expect(created.status).toBe(201);
    expect(await real.machine.readEtc('shadow')).toMatch(/^rmnopass:!:/m);
    const { json: account } = await callApi(real.machine, admin, 'GET', '/api/v1/accounts/rmnopass');
    const unlocked = await callApi(real.machine, admin, 'PATCH', '/api/v1/accounts/rmnopass', {
      version: account.version,
      locked: false,
    });
    expect(unlocked.status).toBe(400);
    expect(unlocked.json).toMatchObject({
      field: 'locked',
      message: 'Unlocking would leave "rmnopass" with an empty password; set a password first',
    });
    expect(await real.machine.readEtc('shadow')).toMatch(/^rmnopass:!:/m);
    expect(await real.machine.su('rmnopass', '')).toMatchObject({ ok: false, prompted: true });
    expect((await logIn(real.machine, 'rmnopass', '')).response.status).toBe(401);
  });

  it('refuses an empty password at the WMI login even where PAM would take it (passwd -d)', async () => {
    expect((await real.machine.run(['useradd', '-M', '-s', '/bin/sh', 'rmempty'])).code).toBe(0);
    expect((await real.machine.run(['passwd', '-d', 'rmempty'])).code).toBe(0);
    expect(await real.machine.readEtc('shadow')).toMatch(/^rmempty::/m);
    // The machine itself lets anyone in: su asks nothing (pam_unix nullok).
    expect(await real.machine.su('rmempty', '')).toMatchObject({ ok: true, prompted: false });
    const { response, session } = await logIn(real.machine, 'rmempty', '');
    expect(response.status).toBe(401);
    expect(session).toBeNull();
  });
});
