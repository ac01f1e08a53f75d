import { existsSync } from 'node:fs';
import { CoreError } from '../errors.ts';
import { timingSafeEqual } from 'node:crypto';
import { createHashSetting, hashPassphrase, runPamLogin } from '../../native/native.ts';
import type { ShadowEntry } from '../accounts/parse-shadow.ts';
import { quoted, say } from '../messages.ts';

// What a password check found: a wrong password (or unknown account), a right one, a right
// one that must be changed before anything else, or a right one whose account may not log in.
export type PasswordVerdict = 'ok' | 'bad-credentials' | 'must-change' | 'refused';

// Checks a login and password; implementations must take as long for an unknown account.
export interface PasswordChecker {
  check(login: string, password: string, remoteAddress: string): Promise<PasswordVerdict>;
}

// The hash methods a stored hash may use; anything else (`!`, `*`, empty) cannot log in.
const usableHash = /^(\$(y|gy|7|2b|6|5|1|sha1|md5)\$|[./0-9A-Za-z]{13}$)/;

// Verifies against the sandbox's shadow entries (from the accounts core) with libxcrypt. An
// unknown or locked account is verified against a throw-away yescrypt hash so that it
// costs the same time.
export function createShadowChecker(getShadowEntry: (login: string) => ShadowEntry | null): PasswordChecker {
  let decoy: Promise<string> | null = null;
  const getDecoy = () => (decoy ??= hashPassphrase(crypto.randomUUID(), createHashSetting('$y$')));
  return {
    async check(login, password) {
      const entry = getShadowEntry(login);
      const stored = entry && usableHash.test(entry.hash) ? entry.hash : await getDecoy();
      // The addon throws before its promise for arguments it refuses (a NUL byte): both are
      // a failed check.
      const computed = await Promise.resolve()
        .then(() => hashPassphrase(password, stored))
        .catch(() => '');
      const same = computed.length === stored.length && timingSafeEqual(Buffer.from(computed), Buffer.from(stored));
      return same && stored !== (await getDecoy()) ? 'ok' : 'bad-credentials';
    },
  };
}

// Verifies through PAM (service `service`, /etc/pam.d/<service>) on the real machine, with
// our addon on a libuv worker thread: pam_authenticate, then pam_acct_mgmt (the account
// stage: expiry, `account required pam_deny.so`, pam_access…). PAM_NEW_AUTHTOK_REQD is a
// password to change now; any other refusal of the account stage refuses the login.
// Throws CoreError when the service file is missing.
export function createPamChecker(service: string): PasswordChecker {
  if (!existsSync(`/etc/pam.d/${service}`)) {
    throw new CoreError('not-found', say('pam.missing', { service }), { field: 'auth.pam_service' });
  }
  return {
    async check(login, password, remoteAddress) {
      const result = await runPamLogin(service, login, remoteAddress, password);
      if (result.step === 'start') {
        throw new CoreError('internal-error', say('pam.cannotStart', { service: quoted(service), code: result.code }), {
          field: 'auth.pam_service',
        });
      }
      if (result.step === 'authenticate') return 'bad-credentials';
      if (result.code === 'success') return 'ok';
      return result.code === 'new-authtok-reqd' ? 'must-change' : 'refused';
    },
  };
}
