import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realAdmin, useRealMachine } from '../helpers/real-machine.ts';
import { callApi, logIn, sendRequest, type WebSession } from '../helpers/real-machine-client.ts';
import { stopProcesses, waitForProcessOf } from '../helpers/uid-process.ts';

// Issue 12's red team, on the real machine (licornd --root / in a namespace with a copy of
// /etc; useradd, groupadd and setpriv as peers): a licorn-wmi member deleting an account whose
// primary group is docker (MEDIUM 1), PATCH onto a UID whose process outlived its account
// (MEDIUM 2), a command line with a right-to-left override (LOW 6), su-like processes run by
// the account and what they run (LOW 7). The namespace's /proc is the host's: each account gets
// a UID of its own, high in the range.
const real = useRealMachine();
let admin: WebSession;
let wmi: WebSession;
const base = 20000 + Math.floor(Math.random() * 180) * 50;
const started: ChildProcess[] = [];
const run = (...args: string[]) => real.machine.run(args);
beforeAll(async () => {
  admin = (await logIn(real.machine, realAdmin.login, realAdmin.password)).session!;
  await run('groupadd', '-f', 'licorn-wmi');
  const hash = (await run('openssl', 'passwd', '-6', 'Wmi-pass-12345')).stdout.trim();
  expect((await run('useradd', '-u', String(base), '-U', '-M', '-G', 'licorn-wmi', '-p', hash, 'rdwmi')).code).toBe(0);
  wmi = (await logIn(real.machine, 'rdwmi', 'Wmi-pass-12345')).session!;
});
afterAll(() => stopProcesses(started));

describe('deleting accounts, after the red team, on the real machine', () => {
  it('keeps a system group that is the account’s primary group (docker), says so, deletes the account', async () => {
    expect((await run('groupadd', '-r', 'docker')).code).toBe(0);
    expect((await run('useradd', '-u', String(base + 1), '-g', 'docker', '-M', 'docker')).code).toBe(0);
    const gid = (await real.machine.getent('group', 'docker'))!.split(':')[2];
    // The group itself: refused to a licorn-wmi member, as before.
    expect((await callApi(real.machine, wmi, 'DELETE', '/api/v1/groups/docker')).status).toBe(403);
    const kept = `Its private group "docker" (GID ${gid}) is kept: a system group is never deleted with an account`;
    const plan = await callApi(real.machine, wmi, 'GET', '/api/v1/accounts/docker/deletion-plan?home=keep');
    expect(plan.json).toMatchObject({ privateGroup: null, groupKept: kept });
    const page = await sendRequest(real.machine, 'GET', '/accounts/docker', { cookie: wmi.cookie });
    expect(page.body).toContain(`data-group-kept>Its private group &quot;docker&quot; (GID ${gid}) is kept`);
    const deleted = await callApi(real.machine, wmi, 'DELETE', '/api/v1/accounts/docker?home=keep');
    expect(deleted.status).toBe(200);
    expect(deleted.json).toMatchObject({ privateGroup: null, groupKept: kept });
    expect(await real.machine.getent('passwd', 'docker')).toBeNull();
    expect(await real.machine.getent('group', 'docker')).toMatch(/^docker:x:/);
    const audit = (await run('cat', '/var/log/licorn/audit.log')).stdout;
    expect(audit).toMatch(/account-delete.*docker.*is kept: a system group/);
  });

  it('refuses PATCH uid, and the create check, onto a UID whose process outlived its account', async () => {
    const uid = base + 2;
    expect((await run('useradd', '-u', String(uid), '-U', '-M', 'rdghost')).code).toBe(0);
    real.machine.startAs('rdghost', ['sleep', '421']);
    const pid = await waitForProcessOf(uid, 'sleep 421');
    expect((await run('userdel', '-f', 'rdghost')).code).toBe(0);
    expect((await run('useradd', '-u', String(uid + 1), '-U', '-M', 'rdpatch')).code).toBe(0);
    // licornd sees useradd's account when its watcher does: waited for, with a deadline.
    let account = await callApi(real.machine, admin, 'GET', '/api/v1/accounts/rdpatch');
    for (const end = Date.now() + 5000; account.status !== 200 && Date.now() < end; ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      account = await callApi(real.machine, admin, 'GET', '/api/v1/accounts/rdpatch');
    }
    expect(account.status).toBe(200);
    const patched = await callApi(real.machine, admin, 'PATCH', '/api/v1/accounts/rdpatch', {
      version: account.json.version,
      uid,
    });
    expect(patched.json).toMatchObject({ code: 'in-use' });
    expect(patched.status).toBe(409);
    expect(patched.json).toMatchObject({
      code: 'in-use',
      field: 'uid',
      message: expect.stringContaining(`${pid} sleep 421`),
    });
    expect(await real.machine.getent('passwd', 'rdpatch')).toMatch(new RegExp(`^rdpatch:x:${uid + 1}:`));
    const checked = await callApi(real.machine, admin, 'POST', '/api/v1/accounts/validate', { login: 'rdnew', uid });
    expect(checked.json.problems).toEqual([{ field: 'uid', message: expect.stringContaining(`${pid} sleep 421`) }]);
  });

  it('shows no bidi override of a command line, and lists su-like processes and what they run', async () => {
    const uid = base + 10;
    const other = base + 11;
    expect((await run('useradd', '-u', String(uid), '-U', '-M', 'rdbidi')).code).toBe(0);
    real.machine.startAs('rdbidi', ['bash', '-c', 'exec -a "txt.exe\u202eevil\u2066\u200f" sleep 422']);
    await waitForProcessOf(uid, 'txt.exe');
    // As su run by the account: real UID the account's, effective root; it runs a process of
    // another UID (the shell su opens).
    const script =
      `import os,time\nos.setresuid(${uid},0,0)\nif os.fork()==0:\n` +
      `  os.setresuid(${other},${other},${other})\n  os.execvp('sleep',['sleep','424'])\ntime.sleep(300)\n`;
    started.push(spawn('python3', ['-c', script, 'rd-su-like', 'for-the-test'], { stdio: 'ignore' }));
    const su = await waitForProcessOf(uid, 'rd-su-like');
    const relayed = await waitForProcessOf(other, 'sleep 424');
    const plan = await callApi(real.machine, admin, 'GET', '/api/v1/accounts/rdbidi/deletion-plan');
    const text = JSON.stringify(plan.json);
    expect(text).not.toMatch(/\\u202e|\u202e|\u2066|\u200f/i);
    expect(plan.json.processes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ command: 'txt.exe evil   422', reach: 'own' }),
        expect.objectContaining({ pid: su, reach: 'as-other', effectiveUid: 0 }),
        expect.objectContaining({ pid: relayed, reach: 'relayed', realUid: other }),
      ]),
    );
    const page = await sendRequest(real.machine, 'GET', '/accounts/rdbidi', { cookie: admin.cookie });
    expect(page.body).not.toMatch(/[\u202e\u2066\u200f]/);
    expect(page.body).toContain('data-reach="as-other"');
    expect(page.body).toContain('data-reach="relayed"');
    const refused = await callApi(real.machine, admin, 'DELETE', '/api/v1/accounts/rdbidi');
    expect(refused.status).toBe(409);
    expect(refused.json.message).toContain('txt.exe evil');
    expect(refused.json.message).not.toMatch(/[\u202e\u2066\u200f]/);
  });
});
