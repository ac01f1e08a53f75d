import { beforeAll, describe, expect, it } from 'vitest';
import { realAdmin, useRealMachine } from '../helpers/real-machine.ts';
import { callApi, logIn, sendRequest, type WebSession } from '../helpers/real-machine-client.ts';
import { waitForExit, waitForProcessOf } from '../helpers/uid-process.ts';

// Issue 12, items 3 and 6, on the real machine with real peers: useradd makes the accounts
// (with their private groups), setpriv starts a process as one inside the namespace, getent
// and useradd say what the files became. The namespace's /proc is the host's, so each account
// gets a UID of its own, high in the range: no other test's process (other namespaces run
// alongside) has it, and ending an account's processes can only reach this test's.
const real = useRealMachine();
let admin: WebSession;
// (Licorn touches no account above 29999, its restricted limit.)
const base = 20000 + Math.floor(Math.random() * 180) * 50;
beforeAll(async () => {
  admin = (await logIn(real.machine, realAdmin.login, realAdmin.password)).session!;
});

const useradd = async (...args: string[]) => {
  const result = await real.machine.run(['useradd', ...args]);
  return result.code;
};

// licornd sees what useradd or userdel did when its watcher does (a loaded machine: later):
// waited for before the API is asked, or it may answer for the files as they were.
async function waitUntilSeen(login: string, status = 200): Promise<void> {
  for (const end = Date.now() + 5000; ; ) {
    const seen = await callApi(real.machine, admin, 'GET', `/api/v1/accounts/${login}`);
    if (seen.status === status || Date.now() > end) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('deleting an account whose processes run, on the real machine', () => {
  it('is refused with the processes named; the page offers to end them; then deleted with its group', async () => {
    const uid = base;
    expect(await useradd('-u', String(uid), '-U', '-m', '-s', '/bin/sh', 'rmbusy')).toBe(0);
    const child = real.machine.startAs('rmbusy', ['sleep', '311']);
    const pid = await waitForProcessOf(uid, 'sleep 311');
    await waitUntilSeen('rmbusy');

    const plan = await callApi(real.machine, admin, 'GET', '/api/v1/accounts/rmbusy/deletion-plan');
    expect(plan.json).toMatchObject({
      privateGroup: 'rmbusy',
      processes: [{ pid, command: 'sleep 311', realUid: uid, effectiveUid: uid }],
      processCount: 1,
    });
    const refused = await callApi(real.machine, admin, 'DELETE', '/api/v1/accounts/rmbusy');
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({
      code: 'in-use',
      field: 'login',
      message: expect.stringContaining(`${pid} sleep 311 (UID ${uid}, effective ${uid})`),
      holders: expect.arrayContaining([{ pid, command: 'sleep 311', login: 'rmbusy' }]),
    });
    expect(await real.machine.getent('passwd', 'rmbusy')).toMatch(/^rmbusy:x:/);
    expect(child.exitCode).toBeNull();

    // The account's page names the processes and offers to end them, as its own choice.
    const page = await sendRequest(real.machine, 'GET', '/accounts/rmbusy', { cookie: admin.cookie });
    expect(page.body).toContain(`<code>${pid}</code> <span translate="no">sleep 311</span>`);
    expect(page.body).toContain('name="endProcesses"');
    expect(page.body).toContain('Its private group rmbusy goes with it');

    const deleted = await callApi(real.machine, admin, 'DELETE', '/api/v1/accounts/rmbusy?endProcesses=true');
    expect(deleted.status).toBe(200);
    expect(deleted.json).toMatchObject({
      privateGroup: 'rmbusy',
      endedProcesses: [{ pid, command: 'sleep 311' }],
      endedCount: 1,
    });
    expect(await waitForExit(child)).not.toBeNull();
    expect(await real.machine.getent('passwd', 'rmbusy')).toBeNull();
    expect(await real.machine.getent('group', 'rmbusy')).toBeNull();
    const audit = (await real.machine.run(['cat', '/var/log/licorn/audit.log'])).stdout;
    expect(audit).toMatch(new RegExp(`account-processes-end.*rmbusy.*${pid} sleep 311`));
    // useradd refused this before: exit 9, "group rmbusy exists".
    expect(await useradd('-M', 'rmbusy')).toBe(0);
  });

  it('bulk deletion: refused while one runs processes, done with endProcesses, audited per account', async () => {
    const uid = base + 10;
    expect(await useradd('-u', String(uid), '-U', '-M', '-s', '/bin/sh', 'bulkbusy')).toBe(0);
    expect(await useradd('-u', String(uid + 1), '-U', '-M', 'bulkidle')).toBe(0);
    const child = real.machine.startAs('bulkbusy', ['sleep', '313']);
    const pid = await waitForProcessOf(uid, 'sleep 313');
    await waitUntilSeen('bulkidle');
    await waitUntilSeen('bulkbusy');
    const body = { action: 'delete', logins: ['bulkidle', 'bulkbusy'], home: 'keep' };
    const refused = await callApi(real.machine, admin, 'POST', '/api/v1/accounts/bulk', body);
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({
      code: 'in-use',
      field: 'accounts.1.login',
      holders: [{ pid, command: 'sleep 313', login: 'bulkbusy' }],
    });
    expect(await real.machine.getent('passwd', 'bulkidle')).toMatch(/^bulkidle:x:/);
    const wrongAction = { action: 'lock', logins: ['bulkidle'], endProcesses: true };
    expect((await callApi(real.machine, admin, 'POST', '/api/v1/accounts/bulk', wrongAction)).json).toMatchObject({
      code: 'invalid-argument',
      field: 'endProcesses',
    });
    const deleted = await callApi(real.machine, admin, 'POST', '/api/v1/accounts/bulk', {
      ...body,
      endProcesses: true,
    });
    expect(deleted.status).toBe(200);
    expect(await waitForExit(child)).not.toBeNull();
    expect(await real.machine.getent('passwd', 'bulkbusy')).toBeNull();
    expect(await real.machine.getent('passwd', 'bulkidle')).toBeNull();
    const audit = (await real.machine.run(['cat', '/var/log/licorn/audit.log'])).stdout;
    expect(audit).toMatch(new RegExp(`account-processes-end.*bulkbusy.*${pid} sleep 313`));
  });

  it('deletes a useradd account’s private group so that useradd NAME works again', async () => {
    expect(await useradd('-u', String(base + 5), '-U', '-M', 'rmgroup')).toBe(0);
    await waitUntilSeen('rmgroup');
    expect(await real.machine.getent('group', 'rmgroup')).toMatch(/^rmgroup:x:/);
    const deleted = await callApi(real.machine, admin, 'DELETE', '/api/v1/accounts/rmgroup?home=keep');
    expect(deleted.json).toMatchObject({ privateGroup: 'rmgroup' });
    expect(await real.machine.getent('group', 'rmgroup')).toBeNull();
    expect(await real.machine.readEtc('gshadow')).not.toMatch(/^rmgroup:/m);
    expect(await useradd('-M', 'rmgroup')).toBe(0);
  });
});

describe('a UID that still owns files, on the real machine', () => {
  it('is not handed out again, and its kept home is not adopted by createHome false', async () => {
    const uid = base + 10;
    expect(await useradd('-u', String(uid - 1), '-U', '-M', 'rmbefore')).toBe(0);
    expect(await useradd('-u', String(uid), '-U', '-m', 'rmkept')).toBe(0);
    await waitUntilSeen('rmkept');
    const deleted = await callApi(real.machine, admin, 'DELETE', '/api/v1/accounts/rmkept?home=keep');
    expect(deleted.status).toBe(200);
    expect((await real.machine.run(['stat', '-c', '%u', '/home/rmkept'])).stdout.trim()).toBe(String(uid));
    const created = await callApi(real.machine, admin, 'POST', '/api/v1/accounts', {
      login: 'rmnext',
      password: null,
      createHome: false,
    });
    expect(created.status).toBe(201);
    expect(await real.machine.getent('passwd', 'rmnext')).toMatch(new RegExp(`^rmnext:x:${uid + 1}:`));
    const adopter = await callApi(real.machine, admin, 'POST', '/api/v1/accounts', {
      login: 'rmadopt',
      home: '/home/rmkept',
      password: null,
      createHome: false,
    });
    expect(adopter.status).toBe(409);
    expect(adopter.json).toMatchObject({
      field: 'home',
      message: expect.stringContaining(`belongs to UID ${uid}, which no account has`),
    });
    expect(await real.machine.getent('passwd', 'rmadopt')).toBeNull();
  });

  it('refuses an explicit UID that owns running processes, naming them', async () => {
    const uid = base + 20;
    expect(await useradd('-u', String(uid), '-U', '-M', 'rmghost')).toBe(0);
    const child = real.machine.startAs('rmghost', ['sleep', '312']);
    const pid = await waitForProcessOf(uid, 'sleep 312');
    // userdel leaves the process running under a UID no account has (it would refuse, so -f).
    expect((await real.machine.run(['userdel', '-f', 'rmghost'])).code).toBe(0);
    await waitUntilSeen('rmghost', 404);
    const created = await callApi(real.machine, admin, 'POST', '/api/v1/accounts', {
      login: 'rmtaker',
      uid,
      password: null,
      createHome: false,
    });
    expect(created.status).toBe(409);
    expect(created.json).toMatchObject({ field: 'uid', message: expect.stringContaining(`${pid} sleep 312`) });
    expect(await real.machine.getent('passwd', 'rmtaker')).toBeNull();
    expect(child.exitCode).toBeNull();
  });
});
