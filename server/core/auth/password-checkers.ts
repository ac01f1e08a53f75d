import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { CoreError } from '../errors.ts';
import { timingSafeEqual } from 'node:crypto';
import { createHashSetting, hashPassphrase } from '../../native/native.ts';
import type { ShadowEntry } from '../accounts/parse-shadow.ts';

// Checks a login and password; implementations must take as long for an unknown account.
export interface PasswordChecker {
  check(login: string, password: string, remoteAddress: string): Promise<boolean>;
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
      const computed = await Promise.resolve().then(() => hashPassphrase(password, stored)).catch(() => '');
      const same = computed.length === stored.length && timingSafeEqual(Buffer.from(computed), Buffer.from(stored));
      return same && stored !== (await getDecoy());
    },
  };
}

interface AuthenticatePam {
  authenticate(user: string, password: string, done: (error?: unknown) => void,
    options: { serviceName: string; remoteHost: string }): void;
}

// Verifies through PAM (service `service`, /etc/pam.d/<service>) on the real machine; the
// module runs pam_authenticate on a libuv worker thread. pam_unix delays failures itself.
// Throws CoreError when the optional PAM binding is not built (libpam0g-dev was missing at
// install time) or the service file is missing.
export function createPamChecker(service: string): PasswordChecker {
  let pam: AuthenticatePam;
  try {
    pam = createRequire(import.meta.url)('authenticate-pam') as AuthenticatePam;
  } catch (error) {
    throw new CoreError('internal-error', 'PAM support is not built: run "apt-get install libpam0g-dev" then "npm ci" again', { field: 'root', cause: error });
  }
  if (!existsSync(`/etc/pam.d/${service}`)) {
    throw new CoreError('not-found', `PAM service file /etc/pam.d/${service} is missing; install it as the README shows`, { field: 'auth.pam_service' });
  }
  return {
    check(login, password, remoteAddress) {
      return new Promise((resolve) => {
        pam.authenticate(login, password, (error) => resolve(!error), { serviceName: service, remoteHost: remoteAddress });
      });
    },
  };
}
