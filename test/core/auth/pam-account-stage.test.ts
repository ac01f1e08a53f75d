import { appendFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHashSetting, hashPassphrase } from '../../../server/native/native.ts';
import { getShadowDay } from '../../../server/core/auth/get-login-refusal.ts';
import { pamServiceFile } from '../../../server/core/auth/pam-service-file.ts';
import { copyEtc, runProbeOverEtc } from '../../helpers/private-etc.ts';

let dir: string;

// Red team's MEDIUM 5: the local socket and API tokens run PAM's account stage as a login
// does (Authenticator.checkAccountStage), on a copy of /etc bind-mounted in a private mount
// namespace (as pam-checker.test.ts): the service forbids one account
// (pam_succeed_if, as pam_access or pam_listfile would), one must change its password.
beforeAll(async () => {
  const copy = await copyEtc('licorn-pam-account-');
  dir = copy.dir;
  const etc = copy.etc;
  const today = getShadowDay();
  const hash = await hashPassphrase('Pam-pass-1234', createHashSetting('$y$'));
  const names = ['pamok', 'pamforbidden', 'pamforced', 'pamlocked'];
  await appendFile(
    join(etc, 'passwd'),
    names.map((name, i) => `${name}:x:${4211 + i}:${4211 + i}::/nonexistent:/usr/sbin/nologin\n`).join(''),
  );
  await appendFile(
    join(etc, 'shadow'),
    [
      `pamok:${hash}:${today}:0:99999:7:::`,
      `pamforbidden:${hash}:${today}:0:99999:7:::`,
      `pamforced:${hash}:0:0:99999:7:::`,
      `pamlocked:!${hash}:${today}:0:99999:7:::`,
    ].join('\n') + '\n',
  );
  await appendFile(join(etc, 'group'), names.map((name, i) => `${name}:x:${4211 + i}:\n`).join(''));
  await writeFile(
    join(etc, 'pam.d/licorn'),
    `${pamServiceFile}account required pam_succeed_if.so quiet user != pamforbidden\n`,
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("PAM's account stage without a password (private copy of /etc)", () => {
  it('lets an account in, refuses one the policy forbids or locked, and asks a password change', async () => {
    const probe = join(import.meta.dirname, '../../helpers/pam-account-probe.ts');
    const stdout = await runProbeOverEtc(
      join(dir, 'etc'),
      probe,
      JSON.stringify(['pamok', 'pamforbidden', 'pamforced', 'pamlocked', 'pamnobody']),
    );
    expect(JSON.parse(stdout)).toEqual(['ok', 'refused', 'must-change', 'refused', 'refused']);
  });
});
