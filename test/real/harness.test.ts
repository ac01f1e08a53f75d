import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { realAdmin, useRealMachine } from '../helpers/real-machine.ts';
import { callApi, logIn } from '../helpers/real-machine-client.ts';

// The harness itself: licornd --root / in a private mount namespace over a copy of /etc,
// with shadow-utils, getent and su as peers; the host's /etc and mounts stay as they were
// (checked after each test by useRealMachine).
const real = useRealMachine();

describe('the real-machine harness', () => {
  it('keeps its mounts private: one made inside never shows on the host', async () => {
    const target = join(real.machine.dir, 'probe');
    await mkdir(target);
    expect((await real.machine.run(['mount', '-t', 'tmpfs', 'licorn-real-probe', target])).code).toBe(0);
    expect((await real.machine.run(['cat', '/proc/self/mountinfo'])).stdout).toContain(' licorn-real-probe ');
    expect(await readFile('/proc/self/mountinfo', 'utf8')).not.toContain('licorn-real-probe');
    const { stdout } = await real.machine.run(['findmnt', '-no', 'PROPAGATION', '--mountpoint', target]);
    expect(stdout.trim()).toBe('private');
  });

  it('runs shadow-utils on the copy of /etc: useradd inside, getent answers inside only', async () => {
    expect((await real.machine.run(['useradd', '-M', 'rmpeer'])).code).toBe(0);
    expect(await real.machine.getent('passwd', 'rmpeer')).toMatch(/^rmpeer:x:\d+:\d+::/);
    expect(await readFile('/etc/passwd', 'utf8')).not.toMatch(/^rmpeer:/m);
  });

  it('logs the admin in through PAM, refuses a wrong password, and su sees what the WMI writes', async () => {
    expect((await logIn(real.machine, realAdmin.login, 'Wrong-password-1')).response.status).toBe(401);
    const { session } = await logIn(real.machine, realAdmin.login, realAdmin.password);
    expect(session).not.toBeNull();
    const created = await callApi(real.machine, session!, 'POST', '/api/v1/accounts', {
      login: 'rmuser',
      password: 'Rm-user-pass-42',
      shell: '/bin/sh',
    });
    expect(created.status).toBe(201);
    expect(await real.machine.getent('passwd', 'rmuser')).toMatch(/^rmuser:x:\d+:\d+:/);
    expect(await real.machine.su('rmuser', 'Rm-user-pass-42')).toMatchObject({ ok: true, prompted: true });
    expect(await real.machine.su('rmuser', 'Not-the-password-1')).toMatchObject({ ok: false, prompted: true });
  });
});
