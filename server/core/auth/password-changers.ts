import { CoreError } from '../errors.ts';
import { runPamPasswordChange, type PamResult } from '../../native/native.ts';
import type { AccountsService } from '../accounts/accounts-service.ts';
import { validatePassword } from '../accounts/password-policy.ts';
import type { PasswordChecker } from './password-checkers.ts';
import { quoted, say } from '../messages.ts';

// Changes an account's own password, knowing its current one (My account, the change page
// at login). Refusals are CoreErrors on `currentPassword` or `password`; a refusal changes
// no byte of any file.
export interface PasswordChanger {
  change(login: string, currentPassword: string, newPassword: string, remoteAddress: string): Promise<void>;
}

// Licorn's own checks, made before anyone else's: its policy, and a new password that differs.
function checkNewPassword(login: string, currentPassword: string, newPassword: string): void {
  validatePassword(newPassword, login);
  // pam_unix refuses to keep the same password ("Password unchanged"): so do we, everywhere.
  if (newPassword === currentPassword) {
    throw new CoreError('invalid-argument', say('passwords.unchanged'), { field: 'password' });
  }
}

const wrongCurrentPassword = () =>
  new CoreError('permission-denied', say('passwords.wrongCurrent'), { field: 'currentPassword' });

// In a sandbox: the current password checked against its shadow file, the new one written
// by the accounts core (login.defs' hash method).
export function createShadowPasswordChanger(accounts: AccountsService, checker: PasswordChecker): PasswordChanger {
  return {
    async change(login, currentPassword, newPassword, remoteAddress) {
      checkNewPassword(login, currentPassword, newPassword);
      if ((await checker.check(login, currentPassword, remoteAddress)) !== 'ok') throw wrongCurrentPassword();
      await accounts.setPassword(login, newPassword);
    },
  };
}

// On the real machine: PAM's chauthtok as the account itself would run `passwd` (the
// current password asked, the minimum age, pam_pwquality and pam_unix's checks applied,
// PAM's hash method written), in the accounts core's queue since pam_unix writes
// /etc/shadow itself.
export function createPamPasswordChanger(service: string, accounts: AccountsService): PasswordChanger {
  return {
    async change(login, currentPassword, newPassword, remoteAddress) {
      checkNewPassword(login, currentPassword, newPassword);
      // What no account's password can be never reaches PAM (the addon would throw on a NUL).
      if (!currentPassword || currentPassword.length > 4096 || currentPassword.includes('\0')) {
        throw wrongCurrentPassword();
      }
      const result = await accounts.applyOutsideWrite(() =>
        runPamPasswordChange(service, login, remoteAddress, currentPassword, newPassword),
      );
      if (result.code !== 'success') throw getChangeRefusal(service, result);
    },
  };
}

// The CoreError for a failed chauthtok, with PAM's own words where it gave some.
function getChangeRefusal(service: string, result: PamResult): CoreError {
  if (result.step === 'start') {
    return new CoreError('internal-error', say('pam.cannotStart', { service: quoted(service), code: result.code }), {
      field: 'auth.pam_service',
    });
  }
  const said = result.messages.split('\n').filter((line) => line && !/^Changing password for /.test(line));
  // pam_unix's prelim check: the current password was wrong (or the account unknown).
  if ((result.code === 'auth-err' || result.code === 'user-unknown') && said.length === 0)
    return wrongCurrentPassword();
  if (result.code === 'authtok-lock-busy') {
    return new CoreError('busy', say('passwords.filesLocked'), { field: 'password' });
  }
  const reason = said.length > 0 ? said.join(' ') : say('pam.refused', { code: result.code });
  return new CoreError('invalid-argument', say('passwords.notChanged', { reason }), { field: 'password' });
}
