import type { AccountsStore } from './accounts-store.ts';
import { getAccountView, type AccountView } from './account-view.ts';
import { applyModifyAccount, type AccountChanges } from './account-operations.ts';
import { applyForcePasswordChange, applySetHash } from './shadow-operations.ts';
import { applySetRole, type GroupRole } from './licorn-roles.ts';
import { applyRenameWithHome, prepareModified, prepareMove } from './account-directories.ts';
import { hashPassword, validatePassword } from './password-policy.ts';
import type { AccountDatabase } from './account-database.ts';
import { checkPrivateGroupRename } from './group-protection.ts';
import { getUidsInUse, type MachineProcesses } from './account-processes.ts';
import { checkAccountRequest, getUpdateActions, type Requester } from './membership-rules.ts';

// The change of one account a PATCH asks for, rename and home move included: one
// transaction for its fields, roles, password and new login (account-transactions.ts holds
// the bulk creates, changes and deletions).

// Every change one PATCH of an account may ask for (see updateAccount).
export interface AccountUpdate extends AccountChanges {
  roles?: Record<string, GroupRole>;
  password?: string;
  forcePasswordChange?: boolean;
  newLogin?: string;
  moveHome?: boolean;
  renameGroup?: boolean;
}

// Every change a PATCH of an account asks for, in one transaction: its fields, roles,
// password, forced change and rename (with its home) are all made, or none. With `by`, the
// version and Licorn's rules are checked inside the transaction (after the password's
// hash): a change or a demotion that landed meanwhile is seen.
export async function updateAccount(
  store: AccountsStore,
  login: string,
  update: AccountUpdate,
  options: { by?: Requester; version?: string; processes?: MachineProcesses | null } = {},
): Promise<AccountView> {
  const { roles, password, forcePasswordChange, newLogin, moveHome, renameGroup, ...changes } = update;
  const { by, version } = options;
  const { defs } = store.context;
  const check = (db: AccountDatabase, loginDefs: typeof defs) =>
    by ? checkAccountRequest(db, loginDefs, by, login, getUpdateActions(update), version) : null;
  // Refused at once when it already would be, before the hash.
  check(store.database, defs);
  const hash = password === undefined ? null : await hashPassword(validatePassword(password, login), defs);
  const final = newLogin !== undefined && newLogin !== login ? newLogin : login;
  // A new UID still held by running processes is refused, as at a create (read before the lock).
  const uidsInUse =
    changes.uid === undefined
      ? undefined
      : await getUidsInUse(options.processes ?? null, store.root, store.context.homeBase, store.homeOwners);
  await store.transact(
    (db, context) => {
      const request = check(db, context.defs);
      const withUses = { ...context, uidsInUse };
      const modified = Object.keys(changes).length > 0 ? applyModifyAccount(db, login, changes, withUses) : null;
      for (const [group, role] of Object.entries(roles ?? {})) applySetRole(db, group, login, role);
      if (hash !== null) applySetHash(db, login, hash, context);
      if (forcePasswordChange) applyForcePasswordChange(db, login);
      if (final !== login && renameGroup)
        checkPrivateGroupRename(db, context.defs, login, final, by?.adminGroups ?? []);
      const move = final === login ? null : applyRenameWithHome(db, context, login, final, { moveHome, renameGroup });
      request?.checkGroups(final);
      return { modified, move };
    },
    async ({ modified, move }, steps, db, context) => {
      if (modified) await prepareModified(store.root, steps, db, context, final, modified.before, modified.after);
      if (move) await prepareMove(store.root, steps, db, context, final, move);
    },
  );
  return getAccountView(store.database, store.context.defs, final)!;
}
