import { readAccountSummary, readShadowEntry, type AccountSummary } from '../accounts/read-accounts.ts';
import { getLoginRefusal, getShadowDay, type LoginRefusal } from './get-login-refusal.ts';
import { createPamChecker, createShadowChecker, type PasswordChecker } from './password-checkers.ts';

// Who logged in, and whether they manage the machine.
export interface AuthenticatedAccount extends AccountSummary {
  isAdmin: boolean;
}

// The outcome of a login attempt; `reason` is for the log, never for the client.
export type LoginOutcome =
  | { ok: true; account: AuthenticatedAccount }
  | { ok: false; reason: 'bad-credentials' | LoginRefusal };

export interface AuthenticatorOptions {
  root: string;
  isRealMachine: boolean;
  pamService: string;
  adminGroups: string[];
}

// Checks logins: PAM on the real machine, the sandbox's shadow file otherwise; then the
// account's shadow ageing, and its admin role from its groups.
export class Authenticator {
  readonly #options: AuthenticatorOptions;
  readonly #checker: PasswordChecker;

  constructor(options: AuthenticatorOptions) {
    this.#options = options;
    this.#checker = options.isRealMachine ? createPamChecker(options.pamService) : createShadowChecker(options.root);
  }

  // Checks a login and password from `remoteAddress`.
  async authenticate(login: string, password: string, remoteAddress: string): Promise<LoginOutcome> {
    // Keep the name to what a login can be, so nothing odd reaches PAM; still check a
    // password so the answer takes as long as for a real account.
    const plausible = /^[a-z_][a-z0-9_.-]{0,31}\$?$/.test(login) && password.length <= 4096;
    const passwordOk = await this.#checker.check(plausible ? login : '_invalid_', password.slice(0, 4096), remoteAddress);
    if (!plausible || !passwordOk) return { ok: false, reason: 'bad-credentials' };
    const refusal = getLoginRefusal(await readShadowEntry(this.#options.root, login).catch(() => null), getShadowDay());
    if (refusal) return { ok: false, reason: refusal };
    const account = await this.getAccount(login);
    return account ? { ok: true, account } : { ok: false, reason: 'bad-credentials' };
  }

  // Reads an account and decides its role, as it stands now in the files.
  async getAccount(login: string): Promise<AuthenticatedAccount | null> {
    const summary = await readAccountSummary(this.#options.root, login);
    if (!summary) return null;
    const isAdmin = summary.uid === 0 || summary.groups.some((group) => this.#options.adminGroups.includes(group));
    return { ...summary, isAdmin };
  }
}
