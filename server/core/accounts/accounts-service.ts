import type { EventBus } from '../events/event-bus.ts';
import { AccountsStore } from './accounts-store.ts';
import type { AccountView, GroupView } from './account-view.ts';
import type { AccountChanges } from './account-operations.ts';
import { applyForcePasswordChange, applySetExpiry, applySetHash, applySetLocked } from './shadow-operations.ts';
import { applyAddMember, applyRemoveMember } from './membership-operations.ts';
import type { NewGroup } from './group-operations.ts';
import { applySetRole, getHelperOf, getRole, type GroupRole } from './licorn-roles.ts';
import type { Group } from './group-schema.ts';
import type { DeletionPlanView } from './deletion-plan-schema.ts';
import { GroupShares, type ShareRepairJournal } from './group-shares.ts';
import type { ShareGids } from './share-acls.ts';
import type { HomeDisposal, HomePlan } from './home-disk.ts';
import { recoverHomesJournal, type HomesRecovery } from './homes-journal.ts';
import { formatAccountsCsv } from './account-csv.ts';
import { unwrapRow } from './bulk-rows.ts';
import { hashPassword, validatePassword } from './password-policy.ts';
import type { ShadowEntry } from './parse-shadow.ts';
import type { ProgressListener } from './report-progress.ts';
import type { AccountCounts } from './account-counts.ts';
import type { Requester } from './membership-rules.ts';
import { AccountQueries } from './account-queries.ts';
import type { AccountSuggestion } from './account-suggestions.ts';
import type { MachineProcesses } from './account-processes.ts';
import * as accounts from './account-transactions.ts';
import { updateAccount, type AccountUpdate } from './account-update.ts';
import { checkNewAccountBeforeHash, checkUpdateBeforeHash } from './checks-before-hash.ts';
import { getChangeableAccount } from './account-checks.ts';
import * as groups from './group-transactions.ts';
import { checkNewAccount, importCsv, type CsvImportOptions, type FieldProblem } from './account-import.ts';

export type { ProgressListener } from './report-progress.ts';
export type { HomeDisposal, HomePlan } from './home-disk.ts';
export type { HomesRecovery } from './homes-journal.ts';
export type { AccountCounts } from './account-counts.ts';
export type { Requester } from './membership-rules.ts';
export type { CreateAccountInput, DeletedAccount, DeletionPlan } from './account-transactions.ts';
export type { AccountUpdate } from './account-update.ts';
export type { GroupUpdate } from './group-transactions.ts';

type CreateAccountInput = accounts.CreateAccountInput;
type Created = { account: AccountView; generatedPassword: string | null };

// The operations on the machine's accounts and groups, for the web layer and the CLI: one
// façade over the reads (account-queries.ts), the account and group transactions
// (account-transactions.ts, account-update.ts, group-transactions.ts) and the checks and CSV import
// (account-import.ts). Each write validates, writes through the store (locks, atomic
// files), then the store emits.
export class AccountsService {
  readonly #store: AccountsStore;
  readonly #queries: AccountQueries;
  readonly #shares: GroupShares;
  // The real machine's processes (null in a sandbox: its accounts are not the machine's).
  readonly #processes: MachineProcesses | null;
  // What the start found of a homes phase interrupted by a crash (null: nothing).
  readonly recovery: HomesRecovery | null;

  private constructor(
    store: AccountsStore,
    events: EventBus,
    recovery: HomesRecovery | null,
    processes: MachineProcesses | null,
  ) {
    this.#store = store;
    this.#processes = processes;
    this.#queries = new AccountQueries(store);
    this.#shares = new GroupShares(store, events);
    this.recovery = recovery;
  }

  // Opens the account files under `root` and starts following outside changes. A homes
  // phase a crash interrupted is settled first, and said: a warning, and the event
  // `homes-recovered` (the core records it in the audit log). `processes`: the real
  // machine's (account-processes.ts), absent in a sandbox.
  static async open(options: {
    root: string;
    events: EventBus;
    lockTimeoutMs?: number;
    processes?: MachineProcesses | null;
  }): Promise<AccountsService> {
    const store = await AccountsStore.open(options);
    const recovery = await recoverHomesJournal(store.root, store.database, store.context.defs.homeMode);
    if (recovery) {
      process.emitWarning(`licornd: ${recovery.message}`);
      options.events.emit('homes-recovered', 'accounts', recovery);
    }
    return new AccountsService(store, options.events, recovery, options.processes ?? null);
  }

  // Grows with every change of the account files: what the pages compute from them can be
  // kept until it moves.
  get revision(): number {
    return this.#store.revision;
  }

  // Every account, in file order.
  listAccounts(): readonly AccountView[] {
    return this.#queries.listAccounts();
  }

  // Accounts matching what is typed in a "who?" field (account-suggestions.ts).
  suggestAccounts(text: string, limit: number): AccountSuggestion[] {
    return this.#queries.suggestAccounts(text, limit);
  }

  getAccount(login: string): AccountView | null {
    return this.#queries.getAccount(login);
  }

  // An account's ids and home as passwd has them, without building its view (the share links
  // of an import's 3,333 new members ask for nothing else).
  getAccountHome(login: string): { uid: number; gid: number; home: string } | null {
    const entry = this.#store.database.passwd.get(login);
    return entry ? { uid: entry.uid, gid: entry.gid, home: entry.home } : null;
  }

  // Every group, in file order.
  listGroups(): readonly GroupView[] {
    return this.#queries.listGroups();
  }

  getGroup(name: string): GroupView | null {
    return this.#queries.getGroup(name);
  }

  // The standard group and role a helper group holds (rsp-G, gst-G of a G with both), else null.
  getHelperOf(name: string): Group['helperOf'] {
    return getHelperOf(this.#store.database, name);
  }

  // An account's shadow entry, for the login check only (its hash never leaves the core).
  getShadowEntry(login: string): ShadowEntry | null {
    return this.#queries.getShadowEntry(login);
  }

  // The login shells an account may choose (etc/shells).
  getShells(): string[] {
    return this.#queries.getShells();
  }

  // How many standard and system accounts and groups there are (the dashboard's card).
  getCounts(): AccountCounts {
    return this.#queries.getCounts();
  }

  // Creates an account, its home from etc/skel (unless createHome is false), and returns
  // it with the generated password when none was given.
  async createAccount(input: CreateAccountInput, by?: Requester): Promise<Created> {
    checkNewAccountBeforeHash(this.#store.database, input, this.#store.context);
    // One account: name the field itself, not "row 1".
    const [created] = await this.createAccounts([input], { by }).catch(unwrapRow);
    return created!;
  }

  // Creates many accounts in one transaction (account-transactions.ts).
  createAccounts(
    inputs: CreateAccountInput[],
    options: { onProgress?: ProgressListener; by?: Requester } = {},
  ): Promise<Created[]> {
    return accounts.createAccounts(this.#store, inputs, { ...options, processes: this.#processes });
  }

  // The problems of a would-be account, one per field at fault, without writing anything.
  checkNewAccount(input: CreateAccountInput, by?: Requester): Promise<FieldProblem[]> {
    return checkNewAccount(this.#store, input, by, this.#processes);
  }

  // Changes any field of an account (AccountChanges); a new UID or primary group re-owns the
  // home's files as usermod does.
  async modifyAccount(login: string, changes: AccountChanges): Promise<AccountView> {
    const [account] = await this.modifyAccounts([{ ...changes, login }]).catch(unwrapRow);
    return account!;
  }

  // Changes many accounts in one transaction (account-transactions.ts).
  modifyAccounts(rows: (AccountChanges & { login: string })[], by?: Requester): Promise<AccountView[]> {
    return accounts.modifyAccounts(this.#store, rows, by, this.#processes);
  }

  // Every change a PATCH of an account asks for, in one transaction (account-update.ts).
  async updateAccount(
    login: string,
    update: AccountUpdate,
    options: { by?: Requester; version?: string } = {},
  ): Promise<AccountView> {
    checkUpdateBeforeHash(this.#store.database, login, update, this.#store.context);
    return updateAccount(this.#store, login, update, { ...options, processes: this.#processes });
  }

  async setLocked(login: string, locked: boolean): Promise<void> {
    await this.#store.transact((db) => applySetLocked(db, login, locked));
  }

  // Sets a password after checking it against the policy, hashed as `chpasswd` would (PAM's method on the real root).
  async setPassword(login: string, password: string): Promise<void> {
    validatePassword(password, login);
    // A refused account costs no hash (checks-before-hash.ts).
    getChangeableAccount(this.#store.database, login);
    const hash = await hashPassword(password, this.#store.context.defs);
    await this.#store.transact((db, context) => applySetHash(db, login, hash, context));
  }

  // Runs a writer of the account files that locks them itself (PAM's chauthtok) in the
  // store's queue, then takes in what it changed: AccountsStore.applyOutsideWrite.
  applyOutsideWrite<T>(write: () => Promise<T>): Promise<T> {
    return this.#store.applyOutsideWrite(write);
  }

  async forcePasswordChange(login: string): Promise<void> {
    await this.#store.transact((db) => applyForcePasswordChange(db, login));
  }

  // Sets the expiry day (days since 1970) or null for never.
  async setExpiry(login: string, day: number | null): Promise<void> {
    await this.#store.transact((db) => applySetExpiry(db, login, day));
  }

  // What deleting an account would do (its home, its private group, its running processes),
  // said before anything is done; `by`: whose rights decide the private group's fate.
  async getDeletionPlan(login: string, disposal: HomeDisposal = 'archive', by?: Requester): Promise<DeletionPlanView> {
    const [plan] = await accounts.getDeletionPlans(this.#store, this.#processes, login, [disposal], by);
    return plan!;
  }

  // The plans for several home disposals from one reading of /proc (the account page's).
  getDeletionPlans(
    login: string,
    disposals: readonly HomeDisposal[],
    by?: Requester,
  ): Promise<accounts.DeletionPlan[]> {
    return accounts.getDeletionPlans(this.#store, this.#processes, login, disposals, by);
  }

  // Deletes an account; its home is archived by default (see getDeletionPlan); refused while
  // its processes run unless `endProcesses` (account-transactions.ts deleteAccounts).
  async deleteAccount(
    login: string,
    home: HomeDisposal = 'archive',
    by?: Requester,
    options: Omit<accounts.DeleteOptions, 'home' | 'by'> = {},
  ): Promise<accounts.DeletedAccount> {
    const [deleted] = await this.deleteAccounts([login], home, by, options).catch(unwrapRow);
    return deleted!;
  }

  // Deletes many accounts in one transaction with their homes (account-transactions.ts).
  deleteAccounts(
    logins: string[],
    home: HomeDisposal = 'archive',
    by?: Requester,
    options: Omit<accounts.DeleteOptions, 'home' | 'by'> = {},
  ): Promise<accounts.DeletedAccount[]> {
    return accounts.deleteAccounts(this.#store, this.#processes, logins, { ...options, home, by });
  }

  // Renames an account; with moveHome its home /x/<login> becomes /x/<newLogin> and moves
  // (only the account's own directory, to a place the path rule allows; anything else is
  // refused before a byte is written), with renameGroup its primary group of the same name
  // is renamed too.
  renameAccount(
    login: string,
    newLogin: string,
    options: { moveHome?: boolean; renameGroup?: boolean } = {},
  ): Promise<AccountView> {
    return this.updateAccount(login, { newLogin, ...options });
  }

  // Creates a group; a standard one gets its helper groups and its shared directory.
  createGroup(input: NewGroup, by?: Requester): Promise<GroupView> {
    return groups.createGroup(this.#store, this.#shares, input, by);
  }

  // Whether a standard group's share is permissive (null without a share): group-shares.ts.
  getPermissive(name: string): Promise<boolean | null> {
    return this.#shares.getPermissive(name);
  }

  // The GIDs a standard group's share ACL names (null: not a standard group): the shares
  // service's rule (server/core/shares).
  getShareGids(name: string): ShareGids | null {
    return this.#shares.getShareGids(name);
  }

  // Makes a standard group's share permissive or not (see updateGroup).
  async setPermissive(name: string, permissive: boolean): Promise<void> {
    await this.updateGroup(name, { permissive });
  }

  // Deletes a group (with its helpers); its shared directory is archived.
  deleteGroup(
    name: string,
    options: { allowProtected?: boolean; by?: Requester } = {},
  ): Promise<{ archive: string | null }> {
    return groups.deleteGroup(this.#store, this.#shares, name, options);
  }

  // Renames a group, its helpers and its shared directory (see updateGroup).
  renameGroup(name: string, newName: string): Promise<GroupView> {
    return this.updateGroup(name, { newName });
  }

  // Sets a group's description (empty removes it).
  setGroupDescription(name: string, description: string): Promise<GroupView> {
    return this.updateGroup(name, { description });
  }

  // Every change a PATCH of a group asks for, in one transaction (group-transactions.ts).
  updateGroup(name: string, update: groups.GroupUpdate, by?: Requester): Promise<GroupView> {
    return groups.updateGroup(this.#store, this.#shares, name, update, by);
  }

  // The role of an account in a standard group.
  getRole(group: string, login: string): GroupRole {
    return getRole(this.#store.database, group, login);
  }

  // Makes an account guest, member or responsible of a standard group (or none of them).
  async setRole(group: string, login: string, role: GroupRole, by?: Requester): Promise<void> {
    await this.setRoles(group, [login], role, by).catch(unwrapRow);
  }

  // Gives many accounts the same role in a standard group, in one transaction.
  setRoles(group: string, logins: string[], role: GroupRole, by?: Requester): Promise<void> {
    return groups.changeGroupsOf(this.#store, logins, by, (db, login) => applySetRole(db, group, login, role));
  }

  async addMember(group: string, login: string, by?: Requester): Promise<void> {
    await groups.changeGroupsOf(this.#store, [login], by, (db) => applyAddMember(db, group, login)).catch(unwrapRow);
  }

  async removeMember(group: string, login: string, by?: Requester): Promise<void> {
    await groups.changeGroupsOf(this.#store, [login], by, (db) => applyRemoveMember(db, group, login)).catch(unwrapRow);
  }

  // Every account as CSV (login, full name, uid, groups…; never a hash).
  exportCsv(): string {
    return formatAccountsCsv(this.listAccounts());
  }

  // Imports accounts from CSV, every row checked first (account-import.ts).
  importCsv(
    text: string,
    options: CsvImportOptions = {},
  ): Promise<{ problems: (FieldProblem & { row: number })[]; created: string[] }> {
    return importCsv(this.#store, text, { ...options, processes: this.#processes });
  }

  // Sets what is awaited after each committed transaction, once its events are emitted (the
  // shares service's links and repairs): an operation answers once they are done.
  setCommitFollower(follow: (() => Promise<void>) | null): void {
    this.#store.followCommit = follow;
  }

  // Sets where a permissive switch journals its share's repair before it commits (the
  // shares service's journal; null: none).
  setShareRepairJournal(journal: ShareRepairJournal | null): void {
    this.#shares.repairJournal = journal;
  }

  // Waits until every change seen so far has been applied and emitted.
  settle(): Promise<void> {
    return this.#store.settle();
  }

  close(): Promise<void> {
    return this.#store.close();
  }
}
