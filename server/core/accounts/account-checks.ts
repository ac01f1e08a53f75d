import { CoreError } from '../errors.ts';
import type { AccountDatabase } from './account-database.ts';
import type { OperationContext } from './account-operations.ts';
import type { LoginDefs } from './parse-login-defs.ts';
import type { PasswdEntry } from './parse-passwd.ts';
import { validateName } from './validate-fields.ts';
import { checkNotRestricted } from './account-permissions.ts';
import { getHolders, sayProcesses } from './account-processes.ts';
import { type CoreMessage, quoted, say } from '../messages.ts';

// The checks the account operations share: names free, UID ranges and UIDs still running,
// groups that exist, accounts that may be changed.

// The refusal for a login no account has.
export const accountNotFound = (login: string): CoreError =>
  new CoreError('not-found', say('accounts.notFound', { login: quoted(login) }), { field: 'login' });

// Refuses a login an account already has (in passwd or shadow); `field` names it in the error.
export function checkLoginFree(db: AccountDatabase, login: string, field = 'login'): void {
  if (db.passwd.has(login) || db.shadow.has(login))
    throw new CoreError('already-exists', say('accounts.exists', { login: quoted(login) }), { field });
}

// The UID range of system or standard accounts, and its name for messages.
// System accounts start at accounts.system_id_min (300; defs.sysUidMin is capped by it in
// account-ranges.ts): below are restricted accounts, which Licorn never makes.
export function getUidRange(defs: LoginDefs, system: boolean): [number, number, CoreMessage] {
  return system
    ? [defs.sysUidMin, defs.sysUidMax, say('ids.kind.systemAccounts')]
    : [defs.uidMin, defs.uidMax, say('ids.kind.standardAccounts')];
}

// Checks a list of supplementary group names: well formed and existing; returns it without
// repeats.
export function validateGroupList(db: AccountDatabase, names: string[]): string[] {
  const groups = [...new Set(names)].map((name) => validateName(name, 'group'));
  for (const name of groups) {
    if (!db.group.has(name))
      throw new CoreError('not-found', say('groups.notFound', { name: quoted(name) }), { field: 'groups' });
  }
  return groups;
}

// An existing account that may be changed (never a restricted one).
export function getChangeableAccount(db: AccountDatabase, login: string): PasswdEntry {
  const account = db.passwd.get(login);
  if (!account) throw accountNotFound(login);
  checkNotRestricted(account);
  return account;
}

// Refuses to give `who` a UID no account has that still owns running processes
// (context.uidsInUse): it could then signal and trace them. A kept home's UID given
// explicitly is its owner taking it over, as documented: allowed.
export function checkUidNotRunning(context: OperationContext, uid: number, who: CoreMessage): void {
  const processes = context.uidsInUse?.processesOf(uid) ?? [];
  if (processes.length === 0) return;
  const message = say('processes.uidRunning', { uid, processes: sayProcesses(processes), who });
  throw new CoreError('in-use', message, { field: 'uid', details: getHolders(processes, `UID ${uid}`) });
}
