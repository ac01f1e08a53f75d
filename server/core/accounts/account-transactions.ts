import { CoreError } from '../errors.ts';
import type { AccountsStore } from './accounts-store.ts';
import { getAccountView, getMembershipIndex, type AccountView } from './account-view.ts';
import {
  applyCreateAccount,
  applyDeleteAccount,
  applyModifyAccount,
  validateNewAccount,
  type AccountChanges,
  type NewAccount,
} from './account-operations.ts';
import { checkLoginFree } from './account-checks.ts';
import { applyAddMembers } from './membership-operations.ts';
import { applySetRole, type GroupRole } from './licorn-roles.ts';
import { getHomePlan, type HomeDisposal, type HomePlan } from './home-disk.ts';
import { prepareHomeDisposals, prepareModified, prepareNewHomes } from './account-directories.ts';
import { atRow, mapRows } from './bulk-rows.ts';
import { createPassword, hashPassword, validatePassword } from './password-policy.ts';
import type { AccountDatabase } from './account-database.ts';
import { validateName } from './validate-fields.ts';
import type { PasswdEntry } from './parse-passwd.ts';
import { applyPrivateGroupFate, getPrivateGroupFate } from './private-group.ts';
import { recordKeptHomes } from './kept-homes.ts';
import { checkHomesNotAdopted } from './adopted-homes.ts';
import {
  checkNotBusy,
  endAccountProcesses,
  getPlannedProcesses,
  getUidsInUse,
  type MachineProcesses,
  type PlannedProcess,
  type ProcessInfo,
} from './account-processes.ts';
import { throttleProgress, type ProgressListener } from './report-progress.ts';
import {
  checkAccountRequest,
  checkNewAccountRules,
  getActorIn,
  getHeldGroupsReader,
  getUpdateActions,
  type Requester,
} from './membership-rules.ts';
import { type CoreMessage, quoted, say } from '../messages.ts';

// The transactions that create, change and delete accounts with their homes: each
// validates, writes through the store (locks, atomic files), then the store emits. One
// account's PATCH (its rename and home move with it) is account-update.ts.

// What creating an account takes. Without a password one is generated and returned once;
// `null` creates it with no password at all (`!`, as useradd does without -p).
export interface CreateAccountInput extends Omit<NewAccount, 'hash'> {
  password?: string | null;
  createHome?: boolean;
  // A role per standard group, given in the same transaction as the account.
  roles?: Record<string, GroupRole>;
}

// A deleted account, where its home was archived, and what was done with its home; its
// private group deleted with it, and the processes ended first (endProcesses).
export interface DeletedAccount {
  login: string;
  archive: string | null;
  home: HomePlan;
  privateGroup: string | null;
  // Its private group when kept (a system group, or one the requester may not delete): why,
  // in English and as a message (PrivateGroupFate).
  groupKept: string | null;
  groupKeptMessage: CoreMessage | null;
  // The first `listedProcesses` of them, and how many there were.
  endedProcesses: ProcessInfo[];
  endedCount: number;
}

// What deleting an account would do, said before anything is done: its home (HomePlan),
// the private group deleted with it, and the processes that refuse the deletion unless it
// asks to end them (none in a sandbox).
export interface DeletionPlan extends HomePlan {
  privateGroup: string | null;
  // Its private group when kept (private-group.ts getPrivateGroupFate): which and why.
  groupKept: string | null;
  groupKeptMessage: CoreMessage | null;
  // The first `listedProcesses` of them (10,000 would make a 2 MB answer), and how many;
  // each says how ending the account's processes reaches it (ProcessReach).
  processes: PlannedProcess[];
  processCount: number;
}

// How many processes a plan or a deletion's answer lists.
export const listedProcesses = 100;

// How accounts are deleted: the home's fate, who asks, and whether their processes are ended
// first (SIGTERM, a bounded wait, SIGKILL; refused otherwise when some run).
export interface DeleteOptions {
  home?: HomeDisposal;
  by?: Requester;
  endProcesses?: boolean;
  // Told as soon as an account's processes were ended (the audit log records it even when
  // the deletion then fails).
  onProcessesEnded?: (login: string, ended: ProcessInfo[]) => Promise<void> | void;
}

// The views of many accounts with one membership index for them all (one per account made
// returning 10,000 created accounts quadratic).
const getViews = (store: AccountsStore, logins: readonly string[]): AccountView[] => {
  const index = getMembershipIndex(store.database);
  return logins.map((login) => getAccountView(store.database, store.context.defs, login, index)!);
};

// Creates many accounts in one transaction: each file is written once, and one refused
// row (its field named `accounts.<row>.<field>`) leaves every file as it was. Roles are
// given in the same transaction; the homes are made from etc/skel before the files are
// written (journaled: see homes-journal.ts), and undone if anything fails. With `by`, Licorn's
// rules are applied to each row on the database as it is inside the transaction.
export async function createAccounts(
  store: AccountsStore,
  inputs: CreateAccountInput[],
  options: CreateOptions = {},
): Promise<{ account: AccountView; generatedPassword: string | null }[]> {
  const created = await createAccountEntries(store, inputs, options);
  const views = getViews(
    store,
    created.map(({ entry }) => entry.login),
  );
  return views.map((account, row) => ({ account, generatedPassword: created[row]!.generatedPassword }));
}

// How accounts are created: progress, who asks (Licorn's rules), the machine's processes.
type CreateOptions = { onProgress?: ProgressListener; by?: Requester; processes?: MachineProcesses | null };

// createAccounts without the views of what it made (a CSV import answers with the logins
// only: 10,000 views were 10–20 % of its time, and garbage).
export async function createAccountEntries(
  store: AccountsStore,
  inputs: CreateAccountInput[],
  options: CreateOptions = {},
): Promise<{ entry: PasswdEntry; generatedPassword: string | null }[]> {
  const report = throttleProgress(options.onProgress);
  let hashed = 0;
  // A valid login no account has: an existing account is the first thing to say (its home
  // is in the way too).
  const getLogin = (input: CreateAccountInput) => {
    const login = validateName(input.login, 'login');
    checkLoginFree(store.database, login);
    return login;
  };
  // Every row is checked before any password is hashed: a refused import costs no hash
  // (checks-before-hash.ts). Rows without passwords have nothing to hash and are read at once
  // (a CSV import's 10,000 async calls were megabytes of promises and closures).
  const hashes = inputs.some(({ password }) => password !== null);
  const logins = mapRows(inputs, (input) => {
    const login = getLogin(input);
    if (typeof input.password === 'string') validatePassword(input.password, login);
    if (hashes) validateNewAccount(store.database, input, store.context);
    return login;
  });
  const prepared = !hashes
    ? mapRows(inputs, (input, row) => {
        report('passwords', ++hashed, inputs.length);
        return { input, login: logins[row]!, hash: '!', generatedPassword: null };
      })
    : await Promise.all(
        inputs.map(async (input, row) => {
          const login = logins[row]!;
          if (input.password === null) {
            report('passwords', ++hashed, inputs.length);
            return { input, login, hash: '!', generatedPassword: null };
          }
          const password = input.password ?? createPassword();
          const hash = await hashPassword(password, store.context.defs);
          const generatedPassword = input.password === undefined ? password : null;
          report('passwords', ++hashed, inputs.length);
          return { input, login, hash, generatedPassword };
        }),
      );
  const { root, etcDir } = store;
  const { by } = options;
  // A UID still held by processes or a kept home is never handed out (read before the lock).
  const uidsInUse = await getUidsInUse(options.processes ?? null, root, store.context.homeBase, store.homeOwners);
  const entries = await store.transact(
    (db, context) => {
      const actor = by ? getActorIn(db, by) : null;
      const memberships = new Map<string, string[]>();
      const withUses = { ...context, uidsInUse };
      const created = mapRows(prepared, ({ input, login, hash }) =>
        applyCreateAccount(db, { ...input, login, hash }, withUses, memberships),
      );
      for (const [group, logins] of memberships) applyAddMembers(db, group, logins);
      // Without roles, the groups do not change from here: each group's members read once.
      const withRoles = prepared.some(({ input }) => Object.keys(input.roles ?? {}).length > 0);
      const getHeld = actor && !actor.inAdminsGroup && !withRoles ? getHeldGroupsReader(db) : null;
      mapRows(prepared, ({ input, login }) => {
        for (const [group, role] of Object.entries(input.roles ?? {})) applySetRole(db, group, login, role);
        if (actor)
          checkNewAccountRules(actor, db, context.defs, login, input.system, by!.adminGroups, getHeld?.(login));
      });
      return created;
    },
    async (created, steps, db, context) => {
      const withoutHome = created.flatMap((entry, row) =>
        prepared[row]!.input.createHome === false ? [{ entry, row }] : [],
      );
      await checkHomesNotAdopted(root, db, withoutHome);
      const rows = created.flatMap((entry, row) => (prepared[row]!.input.createHome === false ? [] : [{ entry, row }]));
      await prepareNewHomes({ root, etcDir, steps, db, context }, rows, report);
      report('writing', 0, 1, true);
    },
  );
  report('writing', 1, 1, true);
  return entries.map((entry, row) => ({ entry, generatedPassword: prepared[row]!.generatedPassword }));
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
  processes: MachineProcesses | null = null,
): Promise<AccountView[]> {
  const { root } = store;
  // A new UID still held by running processes is refused, as at a create (read before the lock).
  const uidsInUse = rows.some((row) => row.uid !== undefined)
    ? await getUidsInUse(processes, root, store.context.homeBase, store.homeOwners)
    : undefined;
  const changed = await store.transact(
    (db, context) =>
      mapRows(rows, ({ login, ...changes }) => {
        const request = by ? checkAccountRequest(db, context.defs, by, login, getUpdateActions(changes)) : null;
        const result = applyModifyAccount(db, login, changes, { ...context, uidsInUse });
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
  return getViews(
    store,
    changed.map(({ after }) => after.login),
  );
}

// What deleting an account would do for each of `disposals`, said before anything is done
// (the account page's confirmation and the API ask): only the account's own directory is
// archived or removed (any other is left in place, with the reason), its private group goes
// with it when `by` may delete it (or is kept, with the reason), and its running processes
// are listed with how ending them reaches each, from one reading of /proc for all the plans.
export async function getDeletionPlans(
  store: AccountsStore,
  processes: MachineProcesses | null,
  login: string,
  disposals: readonly HomeDisposal[],
  by?: Requester,
): Promise<DeletionPlan[]> {
  const { database: db, context } = store;
  const account = db.passwd.get(login);
  if (!account)
    throw new CoreError('not-found', say('accounts.notFound', { login: quoted(login) }), { field: 'login' });
  const running = await getPlannedProcesses(processes, account);
  const fate = getPrivateGroupFate(db, context.defs, account, by);
  const plans: DeletionPlan[] = [];
  for (const disposal of disposals) {
    plans.push({
      ...(await getHomePlan(store.root, db, account, disposal, context.homeBase)),
      ...fate,
      processes: running.slice(0, listedProcesses),
      processCount: running.length,
    });
  }
  return plans;
}

// Deletes many accounts in one transaction with their homes and private groups: each home
// is moved (to the archives, or aside to be removed) before the files are written, and moved
// back if they are not; a removed home is deleted once the accounts are gone. An account
// whose processes run is refused, under the lock before a byte is written (as userdel does);
// with endProcesses they are ended first, once Licorn's rules allowed the deletion.
// With `by`, Licorn's rules are checked for each account inside the transaction.
export async function deleteAccounts(
  store: AccountsStore,
  processes: MachineProcesses | null,
  logins: string[],
  options: DeleteOptions = {},
): Promise<DeletedAccount[]> {
  const { root } = store;
  const { by, home = 'archive' } = options;
  const remove = (db: AccountDatabase, defs: typeof store.context.defs) =>
    mapRows(logins, (login) => {
      if (by) checkAccountRequest(db, defs, by, login, ['delete']);
      const account = db.passwd.get(login);
      const fate = account
        ? getPrivateGroupFate(db, defs, account, by)
        : { privateGroup: null, groupKept: null, groupKeptMessage: null };
      const entry = applyDeleteAccount(db, login);
      applyPrivateGroupFate(db, fate);
      return { entry, ...fate };
    });
  const ended = new Map<string, ProcessInfo[]>();
  if (processes && options.endProcesses) {
    // Every refusal the deletion would meet is met on a copy first: no process is ended for
    // a deletion that is not allowed.
    for (const [row, { entry }] of remove(store.database.clone(), store.context.defs).entries()) {
      checkUidNotShared(store.database, entry, row);
      const found = await endAccountProcesses(processes, entry).catch((error: unknown) => {
        throw atRow(error, row);
      });
      ended.set(entry.login, found);
      if (found.length > 0) await options.onProcessesEnded?.(entry.login, found);
    }
  }
  const done: { archive: string | null; home: HomePlan }[] = [];
  const removed = await store.transact(
    (db, context) => remove(db, context.defs),
    async (rows, steps, db, context) => {
      const entries = rows.map(({ entry }) => entry);
      await checkNotBusy(processes, entries, atRow);
      const disposed = await prepareHomeDisposals(root, steps, db, context, entries, home);
      done.push(...disposed);
      // The homes left in place keep their UID from new accounts, wherever they are.
      const kept = entries.filter((_, row) => disposed[row]!.home.action === 'keep');
      await recordKeptHomes(
        root,
        store.etcDir,
        steps,
        kept.map((entry) => ({ uid: entry.uid, home: entry.home })),
      );
    },
  );
  return removed.map(({ entry, privateGroup, groupKept, groupKeptMessage }, row) => ({
    login: entry.login,
    ...done[row]!,
    privateGroup,
    groupKept,
    groupKeptMessage,
    endedProcesses: (ended.get(entry.login) ?? []).slice(0, listedProcesses),
    endedCount: ended.get(entry.login)?.length ?? 0,
  }));
}

// Refuses to end the processes of a UID another account shares (useradd -o): they may be its.
function checkUidNotShared(db: AccountDatabase, account: PasswdEntry, row: number): void {
  for (const other of db.passwd.entries()) {
    if (other.uid !== account.uid || other.login === account.login) continue;
    const message = say('processes.uidShared', {
      uid: account.uid,
      login: quoted(account.login),
      other: quoted(other.login),
    });
    throw atRow(new CoreError('conflict', message, { field: 'endProcesses' }), row);
  }
}
