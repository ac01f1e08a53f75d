import { createHash } from 'node:crypto';
import type { AccountsService } from '../accounts/accounts-service.ts';
import type { AccountView } from '../accounts/account-view.ts';
import { getLoginRefusal, getShadowDay, isPasswordChangeRequired, type LoginRefusal } from './get-login-refusal.ts';
import { createPamChecker, createShadowChecker, type PasswordChecker } from './password-checkers.ts';
import { runPamAccount } from '../../native/native.ts';
import { createPamPasswordChanger, createShadowPasswordChanger, type PasswordChanger } from './password-changers.ts';

// Who logged in, and whether they manage the machine.
export interface AuthenticatedAccount extends AccountView {
  isAdmin: boolean;
}

// What a session may do now, as the files say: the account and its role, why it could not
// log in now (if so), and a digest of its password (its shadow hash and last change), so a
// session notices a new password without ever holding the hash.
export interface AccountAccess {
  account: AuthenticatedAccount;
  refusal: LoginRefusal | null;
  credential: string;
  // Its password must be changed before anything else (shadow(5)'s day 0 or maximum age).
  mustChangePassword: boolean;
}

// What PAM's account stage (or, in a sandbox, the shadow rules a login applies) says of an
// account that proves itself without a password (the local socket's uid, an API token).
export type AccountStageVerdict = 'ok' | 'must-change' | 'refused';

// The outcome of a login attempt; `reason` is for the log, never for the client. With
// `mustChangePassword` the account may do nothing but change its password (PAM's chauthtok).
// `account-refused`: PAM's account stage said no for a reason shadow(5) does not show.
export type LoginOutcome =
  | { ok: true; account: AuthenticatedAccount; mustChangePassword: boolean }
  | { ok: false; reason: 'bad-credentials' | 'account-refused' | LoginRefusal };

export interface AuthenticatorOptions {
  // The accounts core: accounts, groups and shadow entries as the files hold them now.
  accounts: AccountsService;
  isRealMachine: boolean;
  pamService: string;
  adminGroups: string[];
}

// Checks logins and changes an account's own password: PAM on the real machine (its auth,
// account and password stages), the sandbox's shadow file otherwise; then the account's
// shadow ageing, and its admin role from its groups.
export class Authenticator {
  readonly #options: AuthenticatorOptions;
  readonly #checker: PasswordChecker;
  readonly #changer: PasswordChanger;
  // getAccess() answers kept until the files or the day change: every request and socket
  // frame asks, and building an account's view scans the groups.
  #accessCache = { revision: -1, day: -1, byLogin: new Map<string, AccountAccess | null>() };
  // Logins by uid (the first in the files for a uid, as getpwuid answers), until they change.
  #uidCache = { revision: -1, byUid: new Map<number, string>() };

  constructor(options: AuthenticatorOptions) {
    this.#options = options;
    this.#checker = options.isRealMachine
      ? createPamChecker(options.pamService)
      : createShadowChecker((login) => options.accounts.getShadowEntry(login));
    this.#changer = options.isRealMachine
      ? createPamPasswordChanger(options.pamService, options.accounts)
      : createShadowPasswordChanger(options.accounts, this.#checker);
  }

  // Checks a login and password from `remoteAddress`. Whatever the input (a NUL byte, a
  // name no account can have, a huge password), the answer is an outcome, never a throw.
  async authenticate(login: string, password: string, remoteAddress: string): Promise<LoginOutcome> {
    // Keep the name to what a login can be, so nothing odd reaches PAM (which would cut a
    // password at a NUL byte); still check a password so the answer takes as long as for a
    // real account. An empty password never reaches the account's checker either: PAM's
    // `nullok` (Debian's default) would let it open an account whose hash is empty.
    const plausible =
      /^[a-z_][a-z0-9_.-]{0,31}\$?$/.test(login) &&
      password.length > 0 &&
      password.length <= 4096 &&
      !password.includes('\0');
    const checked = plausible
      ? { login, password }
      : { login: '_invalid_', password: 'x'.repeat(Math.min(Math.max(password.length, 1), 64)) };
    const verdict = await this.#checker.check(checked.login, checked.password, remoteAddress);
    if (!plausible || verdict === 'bad-credentials') return { ok: false, reason: 'bad-credentials' };
    const { accounts, isRealMachine } = this.#options;
    const today = getShadowDay();
    let entry = accounts.getShadowEntry(login);
    // PAM read the files just now; our copy may lag a change of a moment ago (`useradd` then
    // `chpasswd`, seen once as a refused first login on a loaded machine): read them again
    // before refusing what PAM accepted.
    if (isRealMachine && verdict !== 'refused' && (getLoginRefusal(entry, today) || !accounts.getAccount(login))) {
      await accounts.applyOutsideWrite(async () => undefined);
      entry = accounts.getShadowEntry(login);
    }
    // shadow(5)'s rules apply after PAM's too (a `!` hash, an expiry): they name the reason.
    const refusal = getLoginRefusal(entry, today) ?? (verdict === 'refused' ? 'account-refused' : null);
    if (refusal) return { ok: false, reason: refusal };
    const account = this.getAccount(login);
    if (!account) return { ok: false, reason: 'bad-credentials' };
    const mustChangePassword = verdict === 'must-change' || isPasswordChangeRequired(entry, today);
    return { ok: true, account, mustChangePassword };
  }

  // Changes `login`'s own password from `currentPassword` to `newPassword`: PAM's chauthtok
  // on the real machine (password-changers.ts). Throws CoreError on `currentPassword` or
  // `password`; a refusal changes nothing.
  changeOwnPassword(login: string, currentPassword: string, newPassword: string, remoteAddress: string): Promise<void> {
    return this.#changer.change(login, currentPassword, newPassword, remoteAddress);
  }

  // Grows with every change of the account files (AccountsService.revision).
  get revision(): number {
    return this.#options.accounts.revision;
  }

  // An account's role, whether it may log in today and its password's digest, as the files
  // stand now; null when it does not exist.
  getAccess(login: string, today = getShadowDay()): AccountAccess | null {
    const cache = this.#accessCache;
    const revision = this.#options.accounts.revision;
    if (cache.revision !== revision || cache.day !== today) {
      this.#accessCache = { revision, day: today, byLogin: new Map() };
    }
    const byLogin = this.#accessCache.byLogin;
    if (byLogin.has(login)) return byLogin.get(login)!;
    const account = this.getAccount(login);
    const shadow = this.#options.accounts.getShadowEntry(login);
    const credential = createHash('sha256')
      .update(`${shadow?.hash ?? ''}\n${shadow?.lastChange ?? ''}`)
      .digest('base64url');
    const access = account
      ? {
          account,
          refusal: getLoginRefusal(shadow, today),
          credential,
          mustChangePassword: isPasswordChangeRequired(shadow, today),
        }
      : null;
    byLogin.set(login, access);
    return access;
  }

  // Runs the account checks of a login without its password, for a caller the kernel or a
  // token vouches for: PAM's account stage (pam_acct_mgmt: pam_access, pam_time, `account
  // required pam_deny.so`…, on a worker) on the real machine, then shadow(5)'s rules as a
  // login applies them. `must-change`: only a password change is allowed.
  async checkAccountStage(login: string, remoteAddress: string): Promise<AccountStageVerdict> {
    let verdict: AccountStageVerdict = 'ok';
    if (this.#options.isRealMachine) {
      const result = await runPamAccount(this.#options.pamService, login, remoteAddress);
      if (result.code === 'new-authtok-reqd') verdict = 'must-change';
      else if (result.code !== 'success') return 'refused';
    }
    const access = this.getAccess(login);
    if (!access || access.refusal) return 'refused';
    return access.mustChangePassword ? 'must-change' : verdict;
  }

  // The login of the account with this uid (a local socket's peer), as the files stand now;
  // null when none has it.
  getLoginOfUid(uid: number): string | null {
    const revision = this.#options.accounts.revision;
    if (this.#uidCache.revision !== revision) {
      const byUid = new Map<number, string>();
      for (const account of this.#options.accounts.listAccounts()) {
        if (!byUid.has(account.uid)) byUid.set(account.uid, account.login);
      }
      this.#uidCache = { revision, byUid };
    }
    return this.#uidCache.byUid.get(uid) ?? null;
  }

  // An account and its role, as it stands now in the files.
  getAccount(login: string): AuthenticatedAccount | null {
    const account = this.#options.accounts.getAccount(login);
    if (!account) return null;
    const groups = [...(account.primaryGroup ? [account.primaryGroup] : []), ...account.groups];
    const isAdmin = account.uid === 0 || groups.some((group) => this.#options.adminGroups.includes(group));
    return { ...account, isAdmin };
  }
}
