import { appendFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHashSetting, hashPassphrase } from '../../../server/native/native.ts';
import { getShadowDay } from '../../../server/core/auth/get-login-refusal.ts';
import { pamServiceFile } from '../../../server/core/auth/pam-service-file.ts';
import { copyEtc, runProbeOverEtc } from '../../helpers/private-etc.ts';

let dir: string;

// The real PAM stack (pam_unix through /etc/pam.d/licorn) on a copy of the whole /etc,
// bind-mounted over /etc in a private mount namespace: the machine's own files are never
// touched, and the namespace ends with the probe process.
beforeAll(async () => {
  const copy = await copyEtc('licorn-pam-');
  dir = copy.dir;
  const etc = copy.etc;
  const today = getShadowDay();
  const hash = await hashPassphrase('Pam-pass-1234', createHashSetting('$y$'));
  await appendFile(
    join(etc, 'passwd'),
    [
      'pamadmin:x:4201:4201:PAM Admin:/nonexistent:/usr/sbin/nologin',
      'pamuser:x:4202:4202:PAM User:/nonexistent:/usr/sbin/nologin',
      'pamlocked:x:4203:4203:PAM Locked:/nonexistent:/usr/sbin/nologin',
      'pamexpired:x:4204:4204:PAM Expired:/nonexistent:/usr/sbin/nologin',
    ].join('\n') + '\n',
  );
  await appendFile(
    join(etc, 'shadow'),
    [
      `pamadmin:${hash}:${today}:0:99999:7:::`,
      `pamuser:${hash}:${today}:0:99999:7:::`,
      `pamlocked:!${hash}:${today}:0:99999:7:::`,
      `pamexpired:${hash}:${today}:0:99999:7::${today - 1}:`,
    ].join('\n') + '\n',
  );
  await appendFile(
    join(etc, 'group'),
    'pamadmin:x:4201:\npamuser:x:4202:\npamlocked:x:4203:\npamexpired:x:4204:\nadmins:x:4299:pamadmin\n',
  );
  await writeFile(join(etc, 'pam.d/licorn'), pamServiceFile);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('PAM login on the real machine (private copy of /etc)', () => {
  it('accepts the right password, refuses wrong, locked, expired and unknown accounts', async () => {
    const attempts = [
      { login: 'pamadmin', password: 'Pam-pass-1234' },
      { login: 'pamuser', password: 'Pam-pass-1234' },
      { login: 'pamuser', password: 'wrong' },
      { login: 'pamlocked', password: 'Pam-pass-1234' },
      { login: 'pamexpired', password: 'Pam-pass-1234' },
      { login: 'pamnobody', password: 'Pam-pass-1234' },
    ];
    const probe = join(import.meta.dirname, '../../helpers/pam-probe.ts');
    const stdout = await runProbeOverEtc(join(dir, 'etc'), probe, JSON.stringify(attempts));
    expect(JSON.parse(stdout)).toEqual([
      { ok: true, isAdmin: true },
      { ok: true, isAdmin: false },
      { ok: false, reason: 'bad-credentials' },
      { ok: false, reason: 'bad-credentials' },
      { ok: false, reason: 'account-expired' },
      { ok: false, reason: 'bad-credentials' },
    ]);
  });
});
