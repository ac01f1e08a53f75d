import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { realAdmin, useRealMachine, type RealMachine } from '../helpers/real-machine.ts';
import { callApi, logIn, sendRequest, submitForm, type WebSession } from '../helpers/real-machine-client.ts';

// Issue 12, items 4 and 5: PAM all the way on the real machine. A login goes through PAM's
// account stage (pam_acct_mgmt), an expired password through its password stage
// (pam_chauthtok, from the change page), and an account's own change through chauthtok too,
// as `passwd` run by the account: the minimum age and pam_unix's checks apply, and PAM's
// hash method (yescrypt in Debian's common-password, where login.defs says SHA512) is
// written, as it is when an admin sets a password.
const real = useRealMachine({ config: 'auth.max_failures_per_account = 50\nauth.max_failures_per_address = 500' });
let admin: WebSession;
beforeAll(async () => {
  admin = (await logIn(real.machine, realAdmin.login, realAdmin.password)).session!;
});

// Makes an account with useradd and a password with chpasswd, as an admin at a shell would,
// then waits (5 s at most) until licornd has read both (useradd's `!` then chpasswd's hash).
async function addAccount(machine: RealMachine, login: string, password: string): Promise<void> {
  expect((await machine.run(['useradd', '-m', '-s', '/bin/sh', login])).code).toBe(0);
  expect((await machine.run(['chpasswd'], { input: `${login}:${password}\n` })).code).toBe(0);
  const deadline = Date.now() + 5000;
  const isRead = async () => {
    const { status, json } = await callApi(machine, admin, 'GET', `/api/v1/accounts/${login}`);
    return status === 200 && json.locked === false;
  };
  while (!(await isRead())) {
    if (Date.now() > deadline) throw new Error(`licornd did not see the account ${login} made by useradd`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// Runs `test` with a line of an /etc/pam.d file of the machine changed, then puts it back.
async function withPamFile(
  machine: RealMachine,
  file: string,
  edit: (text: string) => string,
  test: () => Promise<void>,
): Promise<void> {
  const path = join(machine.dir, 'etc/pam.d', file);
  const original = await readFile(path, 'utf8');
  await writeFile(path, edit(original));
  try {
    await test();
  } finally {
    await writeFile(path, original);
  }
}

// An account's shadow line as the peers see it.
async function getShadowLine(machine: RealMachine, login: string): Promise<string> {
  const line = (await machine.readEtc('shadow')).split('\n').find((entry) => entry.startsWith(`${login}:`));
  if (!line) throw new Error(`no shadow entry for ${login}`);
  return line;
}

// Posts "My account"'s password form as `session`.
function changeOwnPassword(machine: RealMachine, session: WebSession, currentPassword: string, newPassword: string) {
  return submitForm(machine, session.cookie, '/me/', '/me/password', {
    currentPassword,
    newPassword,
    confirmPassword: newPassword,
  });
}

describe("PAM's account and password stages on the real machine", () => {
  it('refuses a login that the account stage refuses (account required pam_deny.so)', async () => {
    await addAccount(real.machine, 'rmdeny', 'Rm-deny-pass-42');
    expect((await logIn(real.machine, 'rmdeny', 'Rm-deny-pass-42')).response.status).toBe(303);
    await withPamFile(
      real.machine,
      'licorn',
      (text) => `${text}account required pam_deny.so\n`,
      async () => {
        const { response, session } = await logIn(real.machine, 'rmdeny', 'Rm-deny-pass-42');
        expect(response.status).toBe(401);
        expect(response.body).toContain('Login or password incorrect.');
        expect(session).toBeNull();
      },
    );
    expect((await logIn(real.machine, 'rmdeny', 'Rm-deny-pass-42')).response.status).toBe(303);
  });

  it("refuses an own change before the minimum age (chage -m 7) with PAM's words, shadow unchanged", async () => {
    await addAccount(real.machine, 'rmminage', 'Rm-minage-pass-42');
    expect((await real.machine.run(['chage', '-m', '7', 'rmminage'])).code).toBe(0);
    const before = await real.machine.readEtc('shadow');
    const { session } = await logIn(real.machine, 'rmminage', 'Rm-minage-pass-42');
    const refused = await changeOwnPassword(real.machine, session!, 'Rm-minage-pass-42', 'Other-pass-4242');
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('You must wait longer to change your password');
    expect(await real.machine.readEtc('shadow')).toBe(before);
    expect(await real.machine.su('rmminage', 'Rm-minage-pass-42')).toMatchObject({ ok: true });
  });

  it("writes PAM's hash ($y$) for an own change and for an admin's; su takes both passwords", async () => {
    await addAccount(real.machine, 'rmown', 'Rm-own-pass-42');
    expect(await real.machine.readEtc('login.defs')).toMatch(/^ENCRYPT_METHOD SHA512$/m);
    const { session } = await logIn(real.machine, 'rmown', 'Rm-own-pass-42');
    const changed = await changeOwnPassword(real.machine, session!, 'Rm-own-pass-42', 'New-own-pass-4242');
    expect(changed.status).toBe(303);
    expect(changed.headers.location).toBe('/me/?saved=password');
    expect(await getShadowLine(real.machine, 'rmown')).toMatch(/^rmown:\$y\$/);
    expect(await real.machine.su('rmown', 'New-own-pass-4242')).toMatchObject({ ok: true });
    // The session that made the change goes on.
    expect((await callApi(real.machine, session!, 'GET', '/api/v1/session')).status).toBe(200);

    const { json: account } = await callApi(real.machine, admin, 'GET', '/api/v1/accounts/rmown');
    const set = await callApi(real.machine, admin, 'PATCH', '/api/v1/accounts/rmown', {
      version: account.version,
      password: 'Admin-set-pass-42',
    });
    expect(set.status).toBe(200);
    expect(await getShadowLine(real.machine, 'rmown')).toMatch(/^rmown:\$y\$/);
    expect(await real.machine.su('rmown', 'Admin-set-pass-42')).toMatchObject({ ok: true });
  });

  it('sends chage -d 0 to the change page, which changes through chauthtok; su takes the new password', async () => {
    await addAccount(real.machine, 'rmforced', 'Rm-forced-pass-42');
    expect((await real.machine.run(['chage', '-d', '0', 'rmforced'])).code).toBe(0);
    const { response } = await logIn(real.machine, 'rmforced', 'Rm-forced-pass-42');
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/login/password');
    const cookie = /__Host-licorn-session=[^;]+/.exec(String(response.headers['set-cookie']))![0];
    const change = (currentPassword: string, newPassword: string) =>
      submitForm(real.machine, cookie, '/login/password', '/login/password', {
        currentPassword,
        newPassword,
        confirmPassword: newPassword,
      });
    // pam_unix's `minlen`, which only a chauthtok as the account itself (not as root) applies;
    // Licorn's own policy would take this password.
    const before = await real.machine.readEtc('shadow');
    await withPamFile(
      real.machine,
      'common-password',
      (text) => text.replace(/pam_unix\.so .*/, '$& minlen=20'),
      async () => {
        const short = await change('Rm-forced-pass-42', 'Fresh-forced-4242');
        expect(short.status).toBe(400);
        expect(short.body).toContain('The password was not changed: You must choose a longer password.');
        expect(await real.machine.readEtc('shadow')).toBe(before);
      },
    );

    // The change's day, read on both sides of it: a run across midnight (UTC) reads two days.
    const today = () => Math.floor(Date.now() / 86_400_000);
    const dayBefore = today();
    const changed = await change('Rm-forced-pass-42', 'Fresh-forced-4242');
    expect(changed.status).toBe(303);
    expect(changed.headers.location).toBe('/');
    const fields = (await getShadowLine(real.machine, 'rmforced')).split(':');
    expect(fields[1]).toMatch(/^\$y\$/);
    expect(Number(fields[2])).toBeGreaterThanOrEqual(dayBefore);
    expect(Number(fields[2])).toBeLessThanOrEqual(today());
    expect(await real.machine.su('rmforced', 'Fresh-forced-4242')).toMatchObject({ ok: true });
    expect(await real.machine.su('rmforced', 'Rm-forced-pass-42')).toMatchObject({ ok: false });
    const home = await sendRequest(real.machine, 'GET', '/me/', { cookie, headers: { accept: 'text/html' } });
    expect(home.status).toBe(200);
  });
});
