import { CoreError } from '../errors.ts';
import type { AccountsStore } from './accounts-store.ts';
import { getAccountView, type AccountView } from './account-view.ts';
import {
  applyCreateAccount,
  applyDeleteAccount,
  applyForcePasswordChange,
  applyModifyAccount,
  applySetHash,
  applyAddMembers,
  checkLoginFree,
  type AccountChanges,
  type NewAccount,
} from './account-operations.ts';
import { applySetRole, type GroupRole } from './licorn-roles.ts';
import { getHomePlan, type HomeDisposal, type HomePlan } from './home-disk.ts';
import {
  applyRenameWithHome,
  prepareHomeDisposals,
  prepareModified,
  prepareMove,
  prepareNewHomes,
} from './account-directories.ts';
import { atRow, mapRows } from './bulk-rows.ts';
import { createPassword, hashPassword, validatePassword } from './password-policy.ts';
import type { AccountDatabase } from './account-database.ts';
import { validateName, quote } from './validate-fields.ts';
import { throttleProgress, type ProgressListener } from './report-progress.ts';
import {
  checkAccountRequest,
  checkNewAccountRules,
  getActorIn,
  getUpdateActions,
  type Requester,
} from './membership-rules.ts';

// The transactions that create, change and delete accounts with their homes: each
// validates, writes through the store (locks, atomic files), then the store emits.

// What creating an account takes. Without a password one is generated and returned once;
// `null` creates it with no password at all (`!`, as useradd does without -p).
export interface CreateAccountInput extends Omit<NewAccount, 'hash'> {
  password?: string | null;
  createHome?: boolean;
  // A role per standard group, given in the same transaction as the account.
  roles?: Record<string, GroupRole>;
}

// Every change one PATCH of an account may ask for (see updateAccount).
export interface AccountUpdate extends AccountChanges {
  roles?: Record<string, GroupRole>;
  password?: string;
  forcePasswordChange?: boolean;
  newLogin?: string;
  moveHome?: boolean;
  renameGroup?: boolean;
}

// A deleted account, where its home was archived, and what was done with its home.
export interface DeletedAccount {
  login: string;
  archive: string | null;
  home: HomePlan;
}

const getView = (store: AccountsStore, login: string): AccountView =>
  getAccountView(store.database, store.context.defs, login)!;

// Creates many accounts in one transaction: each file is written once, and one refused
// row (its field named `accounts.<row>.<field>`) leaves every file as it was. Roles are
// given in the same transaction; the homes are made from etc/skel before the files are
// written (journaled: see homes-journal.ts), and undone if anything fails. With `by`, Licorn's
// rules are applied to each row on the database as it is inside the transaction.
export async function createAccounts(
  store: AccountsStore,
  inputs: CreateAccountInput[],
  options: { onProgress?: ProgressListener; by?: Requester } = {},
): Promise<{ account: AccountView; generatedPassword: string | null }[]> {
  const report = throttleProgress(options.onProgress);
  let hashed = 0;
  const prepared = await Promise.all(
    inputs.map(async (input, row) => {
      try {
        const login = validateName(input.login, 'login');
        // An existing account is the first thing to say (its home is in the way too).
        checkLoginFree(store.database, login);
        if (input.password === null) {
          report('passwords', ++hashed, inputs.length);
          return { input, login, hash: '!', generatedPassword: null };
        }
        const generatedPassword = input.password === undefined ? createPassword() : null;
        const password = generatedPassword ?? validatePassword(input.password, login);
        const hash = await hashPassword(password, store.context.defs);
        report('passwords', ++hashed, inputs.length);
        return { input, login, hash, generatedPassword };
      } catch (error) {
        throw atRow(error, row);
      }
    }),
  );
  const { root, etcDir } = store;
  const { by } = options;
  const entries = await store.transact(
    (db, context) => {
      const actor = by ? getActorIn(db, by) : null;
      const memberships = new Map<string, string[]>();
      const created = mapRows(prepared, ({ input, login, hash }) =>
        applyCreateAccount(db, { ...input, login, hash }, context, memberships),
      );
      for (const [group, logins] of memberships) applyAddMembers(db, group, logins);
      mapRows(prepared, ({ input, login }) => {
        for (const [group, role] of Object.entries(input.roles ?? {})) applySetRole(db, group, login, role);
        if (actor) checkNewAccountRules(actor, db, context.defs, login, input.system, by!.adminGroups);
      });
      return created;
    },
    async (created, steps, db, context) => {
      const rows = created.flatMap((entry, row) => (prepared[row]!.input.createHome === false ? [] : [{ entry, row }]));
      await prepareNewHomes({ root, etcDir, steps, db, context }, rows, report);
      report('writing', 0, 1, true);
    },
  );
  report('writing', 1, 1, true);
  return entries.map((entry, row) => ({
    account: getView(store, entry.login),
    generatedPassword: prepared[row]!.generatedPassword,
  }));
}

// Changes many accounts in one transaction (each file written once); one refused row
// (field `accounts.<row>.<field>`) leaves every file as it was. A new UID or primary group
// re-owns the files of the account's own home before the files are written (undone if
// they are not); a home that is not its own directory is left alone.
// With `by`, Licorn's rules are checked for each row inside the transaction.
export async function modifyAccounts(
  store: AccountsStore,
  rows: (AccountChanges & { login: string })[],
  by?: Requester,
): Promise<AccountView[]> {
  const { root } = store;
  const changed = await store.transact(
    (db, context) =>
      mapRows(rows, ({ login, ...changes }) => {
        const request = by ? checkAccountRequest(db, context.defs, by, login, getUpdateActions(changes)) : null;
        const result = applyModifyAccount(db, login, changes, context);
        request?.checkGroups();
        return result;
      }),
    async (results, steps, db, context) => {
      for (const [row, { before, after }] of results.entries()) {
        await prepareModified(root, steps, db, context, after.login, before, after).catch((error: unknown) => {
          throw atRow(error, row);
        });
      }
    },
  );
  return changed.map(({ after }) => getView(store, after.login));
}

// Every change a PATCH of an account asks for, in one transaction: its fields, roles,
// password, forced change and rename (with its home) are all made, or none. With `by`, the
// version and Licorn's rules are checked inside the transaction (after the password's
// hash): a change or a demotion that landed meanwhile is seen.
export async function updateAccount(
  store: AccountsStore,
  login: string,
  update: AccountUpdate,
  options: { by?: Requester; version?: string } = {},
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
  await store.transact(
    (db, context) => {
      const request = check(db, context.defs);
      const modified = Object.keys(changes).length > 0 ? applyModifyAccount(db, login, changes, context) : null;
      for (const [group, role] of Object.entries(roles ?? {})) applySetRole(db, group, login, role);
      if (hash !== null) applySetHash(db, login, hash, context);
      if (forcePasswordChange) applyForcePasswordChange(db, login);
      const move = final === login ? null : applyRenameWithHome(db, context, login, final, { moveHome, renameGroup });
      request?.checkGroups(final);
      return { modified, move };
    },
    async ({ modified, move }, steps, db, context) => {
      if (modified) await prepareModified(store.root, steps, db, context, final, modified.before, modified.after);
      if (move) await prepareMove(store.root, steps, db, context, final, move);
    },
  );
  return getView(store, final);
}

// What deleting an account would do with its home, said before anything is done (the
// account page's confirmation and the API ask): only the account's own directory is
// archived or removed; any other is left in place, with the reason.
export async function getDeletionPlan(
  store: AccountsStore,
  login: string,
  disposal: HomeDisposal = 'archive',
): Promise<HomePlan> {
  const account = store.database.passwd.get(login);
  if (!account) throw new CoreError('not-found', `No account named ${quote(login)}`, { field: 'login' });
  return getHomePlan(store.root, store.database, account, disposal, store.context.homeBase);
}

// Deletes many accounts in one transaction with their homes: each home is moved (to the
// archives, or aside to be removed) before the files are written, and moved back if they
// are not; a removed home is deleted once the accounts are gone.
// With `by`, Licorn's rules are checked for each account inside the transaction.
export async function deleteAccounts(
  store: AccountsStore,
  logins: string[],
  home: HomeDisposal = 'archive',
  by?: Requester,
): Promise<DeletedAccount[]> {
  const { root } = store;
  const done: { archive: string | null; home: HomePlan }[] = [];
  const removed = await store.transact(
    (db, context) =>
      mapRows(logins, (login) => {
        if (by) checkAccountRequest(db, context.defs, by, login, ['delete']);
        return applyDeleteAccount(db, login);
      }),
    async (entries, steps, db, context) => {
      done.push(...(await prepareHomeDisposals(root, steps, db, context, entries, home)));
    },
  );
  return removed.map((entry, row) => ({ login: entry.login, ...done[row]! }));
}
