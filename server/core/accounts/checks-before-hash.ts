import { CoreError } from '../errors.ts';
import type { AccountDatabase } from './account-database.ts';
import { type OperationContext, validateAccountChanges, validateNewAccount } from './account-operations.ts';
import type { CreateAccountInput } from './account-transactions.ts';
import type { AccountUpdate } from './account-update.ts';
import { getRole, groupRoles } from './licorn-roles.ts';
import { validateName } from './validate-fields.ts';
import { checkLoginFree } from './account-checks.ts';
import { quoted, say } from '../messages.ts';

// A password is hashed (tens of milliseconds of a worker thread, on purpose) before the
// transaction that writes it: a request refused for another field must cost none, or bad
// requests with a password would spend the machine's CPU. These check every other field of
// such a request on the accounts as they are now, throwing the first problem; the transaction
// checks them all again on the files as they are then.

// Checks a new account's fields before its password is hashed (nothing to do without one).
export function checkNewAccountBeforeHash(
  db: AccountDatabase,
  input: CreateAccountInput,
  context: OperationContext,
): void {
  if (typeof input.password !== 'string') return;
  validateNewAccount(db, input, context);
}

// Checks an account change's fields, roles and new login before its new password is hashed.
export function checkUpdateBeforeHash(
  db: AccountDatabase,
  login: string,
  update: AccountUpdate,
  context: OperationContext,
): void {
  const { roles, password, forcePasswordChange, newLogin, moveHome, renameGroup, ...changes } = update;
  if (password === undefined) return;
  validateAccountChanges(db, login, changes, context);
  for (const [group, role] of Object.entries(roles ?? {})) {
    if (!groupRoles.includes(role)) {
      const message = say('roles.invalid', { role: quoted(role), valid: groupRoles.join(', ') });
      throw new CoreError('invalid-argument', message, { field: 'role' });
    }
    getRole(db, group, login);
  }
  if (newLogin !== undefined && newLogin !== login) checkLoginFree(db, validateName(newLogin, 'login'), 'newLogin');
}
