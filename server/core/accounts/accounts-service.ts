import { CoreError } from '../errors.ts';
import type { EventBus } from '../events/event-bus.ts';
import { AccountsStore } from './accounts-store.ts';
import { getAccountView, getGroupView, getMembershipIndex, type AccountView, type GroupView } from './account-view.ts';
import {
  applyCreateAccount,
  applyDeleteAccount,
  applyForcePasswordChange,
  applyModifyAccount,
  applySetExpiry,
  applySetHash,
  applySetLocked,
  applyAddMember,
  applyAddMembers,
  applyRemoveMember,
  checkLoginFree,
  type AccountChanges,
  type NewAccount,
} from './account-operations.ts';
import {
  applyCreateGroup,
  applyDeleteGroup,
  applyRenameGroup,
  applySetGroupDescription,
  type NewGroup,
} from './group-operations.ts';
import { applySetRole, getRole, hasRoles, type GroupRole } from './licorn-roles.ts';
import { GroupShares } from './group-shares.ts';
import { checkNewHomeOnDisk, getHomePlan, type HomeDisposal, type HomePlan } from './home-disk.ts';
import { recoverHomesJournal, type HomesRecovery } from './homes-journal.ts';
import {
  applyRenameWithHome,
  checkShareClear,
  prepareHomeDisposals,
  prepareModified,
  prepareMove,
  prepareNewHomes,
} from './account-directories.ts';
import {
  formatAccountsCsv,
  parseAccountsCsv,
  toNewAccount,
  type CsvAccountRow,
  type CsvMapping,
} from './account-csv.ts';
import { atRow, mapRows } from './bulk-rows.ts';
import { createPassword, hashPassword, validatePassword } from './password-policy.ts';
import type { ShadowEntry } from './parse-shadow.ts';
import type { AccountDatabase } from './account-database.ts';
import { validateName, quote } from './validate-fields.ts';
import { throttleProgress, type ProgressListener } from './report-progress.ts';
import type { AccountCounts } from './account-counts.ts';
import {
  checkAccountRequest,
  checkGroupChange,
  checkNewAccountRules,
  checkNewGroupRules,
  getActorIn,
  getUpdateActions,
  type Requester,
} from './membership-rules.ts';
import type { Actor } from './account-permissions.ts';

export type { ProgressListener } from './report-progress.ts';
export type { HomeDisposal, HomePlan } from './home-disk.ts';
export type { HomesRecovery } from './homes-journal.ts';
export type { AccountCounts } from './account-counts.ts';
export type { Requester } from './membership-rules.ts';

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

// Every change one PATCH of a group may ask for (see updateGroup); `version` is the
// group's version the change was based on.
export interface GroupUpdate {
  version?: string;
  description?: string;
  newName?: string;
  permissive?: boolean;
}

// A deleted account, where its home was archived, and what was done with its home.
export interface DeletedAccount {
  login: string;
  archive: string | null;
  home: HomePlan;
}

// The operations on the machine's accounts and groups, for the web layer and the CLI:
// each validates, writes through the store (locks, atomic files), then the store emits.
export class AccountsService {
  readonly #store: AccountsStore;
  #counts: { revision: number; counts: AccountCounts } | null = null;
  #groups: { revision: number; views: readonly GroupView[] } | null = null;

  readonly #shares: GroupShares;
  // What the start found of a homes phase interrupted by a crash (null: nothing).
  readonly recovery: HomesRecovery | null;

  private constructor(store: AccountsStore, events: EventBus, recovery: HomesRecovery | null) {
    this.#store = store;
    this.#shares = new GroupShares(store, events);
    this.recovery = recovery;
  }

  // Opens the account files under `root` and starts following outside changes. A homes
  // phase a crash interrupted is settled first, and said: a warning, and the event
  // `homes-recovered` (the core records it in the audit log).
  static async open(options: { root: string; events: EventBus; lockTimeoutMs?: number }): Promise<AccountsService> {
    const store = await AccountsStore.open(options);
    const recovery = await recoverHomesJournal(store.root, store.database, store.context.defs.homeMode);
    if (recovery) {
      process.emitWarning(`licornd: ${recovery.message}`);
      options.events.emit('homes-recovered', 'accounts', recovery);
    }
    return new AccountsService(store, options.events, recovery);
  }

  // Grows with every change of the account files: what the pages compute from them can be
  // kept until it moves.
  get revision(): number {
    return this.#store.revision;
  }

  // Every account, in file order.
  listAccounts(): AccountView[] {
    const { database, context } = this.#store;
    const index = getMembershipIndex(database);
    return Array.from(
      database.passwd.entries(),
      (entry) => getAccountView(database, context.defs, entry.login, index)!,
    );
  }

  getAccount(login: string): AccountView | null {
    return getAccountView(this.#store.database, this.#store.context.defs, login);
  }

  // Every group, in file order.
  listGroups(): readonly GroupView[] {
    // Kept until the files change: a big group's version hashes its 10,000 members.
    if (this.#groups?.revision === this.#store.revision) return this.#groups.views;
    const { database, context } = this.#store;
    const views = Array.from(database.group.entries(), (entry) => getGroupView(database, context.defs, entry.name)!);
    this.#groups = { revision: this.#store.revision, views };
    return views;
  }

  getGroup(name: string): GroupView | null {
    return getGroupView(this.#store.database, this.#store.context.defs, name);
  }

  // An account's shadow entry, for the login check only (its hash never leaves the core).
  getShadowEntry(login: string): ShadowEntry | null {
    return this.#store.database.shadow.get(login) ?? null;
  }

  // The login shells an account may choose (etc/shells).
  getShells(): string[] {
    return [...this.#store.context.shells];
  }

  // How many standard and system accounts and groups there are (the dashboard's card).
  getCounts(): AccountCounts {
    // Kept until the files change: every page and push asks, and counting 10,000 entries
    // cost 1.7 ms a request.
    if (this.#counts?.revision === this.#store.revision) return this.#counts.counts;
    const counts = this.#countAccounts();
    this.#counts = { revision: this.#store.revision, counts };
    return counts;
  }

  #countAccounts(): AccountCounts {
    const {
      database,
      context: { defs },
    } = this.#store;
    let accounts = 0;
    let systemAccounts = 0;
    for (const entry of database.passwd.entries()) {
      if (entry.uid >= defs.uidMin && entry.uid <= defs.uidMax) accounts += 1;
      else systemAccounts += 1;
    }
    let groups = 0;
    let systemGroups = 0;
    for (const entry of database.group.entries()) {
      if (entry.gid >= defs.gidMin && entry.gid <= defs.gidMax) groups += 1;
      else systemGroups += 1;
    }
    return { accounts, systemAccounts, groups, systemGroups };
  }

  // Creates an account, its home from etc/skel (unless createHome is false), and returns
  // it with the generated password when none was given.
  async createAccount(
    input: CreateAccountInput,
    by?: Requester,
  ): Promise<{ account: AccountView; generatedPassword: string | null }> {
    const [created] = await this.createAccounts([input], { by }).catch((error: unknown) => {
      // One account: name the field itself, not "row 1".
      throw error instanceof CoreError && error.cause instanceof CoreError ? error.cause : error;
    });
    return created!;
  }

  // Creates many accounts in one transaction: each file is written once, and one refused
  // row (its field named `accounts.<row>.<field>`) leaves every file as it was. Roles are
  // given in the same transaction; the homes are made from etc/skel before the files are
  // written (journaled: see homes-journal.ts), and undone if anything fails. With `by`, Licorn's
  // rules are applied to each row on the database as it is inside the transaction.
  async createAccounts(
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
          checkLoginFree(this.#store.database, login);
          if (input.password === null) {
            report('passwords', ++hashed, inputs.length);
            return { input, login, hash: '!', generatedPassword: null };
          }
          const generatedPassword = input.password === undefined ? createPassword() : null;
          const password = generatedPassword ?? validatePassword(input.password, login);
          const hash = await hashPassword(password, this.#store.context.defs);
          report('passwords', ++hashed, inputs.length);
          return { input, login, hash, generatedPassword };
        } catch (error) {
          throw atRow(error, row);
        }
      }),
    );
    const { root, etcDir } = this.#store;
    const { by } = options;
    const entries = await this.#store.transact(
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
        const rows = created.flatMap((entry, row) =>
          prepared[row]!.input.createHome === false ? [] : [{ entry, row }],
        );
        await prepareNewHomes({ root, etcDir, steps, db, context }, rows, report);
        report('writing', 0, 1, true);
      },
    );
    report('writing', 1, 1, true);
    return entries.map((entry, row) => ({
      account: this.getAccount(entry.login)!,
      generatedPassword: prepared[row]!.generatedPassword,
    }));
  }

  // The problems of a would-be account, one per field at fault, without writing anything:
  // the create form asks as the admin types. A field found at fault is set aside and the
  // rest checked again.
  async checkNewAccount(input: CreateAccountInput, by?: Requester): Promise<{ field: string; message: string }[]> {
    const trial = this.#store.database.clone();
    const actor = by ? getActorIn(trial, by) : undefined;
    const problems: { field: string; message: string }[] = [];
    const candidate: Record<string, unknown> = { ...input };
    for (let attempt = 0; attempt < 10; attempt += 1) {
      try {
        const rules = actor && { actor, by: by! };
        await this.#tryCreate(trial, candidate as unknown as CreateAccountInput, input.createHome !== false, rules);
        break;
      } catch (error) {
        if (!(error instanceof CoreError)) throw error;
        const field = error.field ?? 'row';
        if (problems.some((problem) => problem.field === field)) break;
        problems.push({ field, message: error.message });
        // A stand-in login lets the other fields be checked.
        if (field === 'login') candidate.login = 'licorn-validation-probe';
        else if (field === 'group') delete candidate.groups;
        else if (field in candidate) delete candidate[field];
        else break;
      }
    }
    return problems;
  }

  // Creates an account on `trial` (a copy of the database) with every check createAccount
  // makes: the password policy, each field, the home, and with `rules` Licorn's rules for
  // the actor; throws the first problem.
  async #tryCreate(
    trial: AccountDatabase,
    input: CreateAccountInput,
    withHome: boolean,
    rules?: { actor: Actor; by: Requester },
  ): Promise<void> {
    if (typeof input.password === 'string') validatePassword(input.password, input.login ?? '');
    const context = this.#store.context;
    const entry = applyCreateAccount(trial, { ...input, hash: '!' }, context);
    for (const [group, role] of Object.entries(input.roles ?? {})) applySetRole(trial, group, entry.login, role);
    if (rules) checkNewAccountRules(rules.actor, trial, context.defs, entry.login, input.system, rules.by.adminGroups);
    if (withHome) await checkNewHomeOnDisk(this.#store.root, trial, entry.login, entry.home, context.homeBase);
  }

  // Changes any field of an account (AccountChanges); a new UID or primary group re-owns the
  // home's files as usermod does.
  async modifyAccount(login: string, changes: AccountChanges): Promise<AccountView> {
    const [account] = await this.modifyAccounts([{ ...changes, login }]).catch((error: unknown) => {
      throw error instanceof CoreError && error.cause instanceof CoreError ? error.cause : error;
    });
    return account!;
  }

  // Changes many accounts in one transaction (each file written once); one refused row
  // (field `accounts.<row>.<field>`) leaves every file as it was. A new UID or primary group
  // re-owns the files of the account's own home before the files are written (undone if
  // they are not); a home that is not its own directory is left alone.
  // With `by`, Licorn's rules are checked for each row inside the transaction.
  async modifyAccounts(rows: (AccountChanges & { login: string })[], by?: Requester): Promise<AccountView[]> {
    const { root } = this.#store;
    const changed = await this.#store.transact(
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
    return changed.map(({ after }) => this.getAccount(after.login)!);
  }

  // Every change a PATCH of an account asks for, in one transaction: its fields, roles,
  // password, forced change and rename (with its home) are all made, or none. With `by`, the
  // version and Licorn's rules are checked inside the transaction (after the password's
  // hash): a change or a demotion that landed meanwhile is seen.
  async updateAccount(
    login: string,
    update: AccountUpdate,
    options: { by?: Requester; version?: string } = {},
  ): Promise<AccountView> {
    const { roles, password, forcePasswordChange, newLogin, moveHome, renameGroup, ...changes } = update;
    const { by, version } = options;
    const { defs } = this.#store.context;
    const check = (db: AccountDatabase, loginDefs: typeof defs) =>
      by ? checkAccountRequest(db, loginDefs, by, login, getUpdateActions(update), version) : null;
    // Refused at once when it already would be, before the hash.
    check(this.#store.database, defs);
    const hash = password === undefined ? null : await hashPassword(validatePassword(password, login), defs);
    const final = newLogin !== undefined && newLogin !== login ? newLogin : login;
    await this.#store.transact(
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
        if (modified)
          await prepareModified(this.#store.root, steps, db, context, final, modified.before, modified.after);
        if (move) await prepareMove(this.#store.root, steps, db, context, final, move);
      },
    );
    return this.getAccount(final)!;
  }

  async setLocked(login: string, locked: boolean): Promise<void> {
    await this.#store.transact((db) => applySetLocked(db, login, locked));
  }

  // Sets a password after checking it against the policy, hashed as `chpasswd` would (PAM's method on the real root).
  async setPassword(login: string, password: string): Promise<void> {
    validatePassword(password, login);
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

  // What deleting an account would do with its home, said before anything is done (the
  // account page's confirmation and the API ask): only the account's own directory is
  // archived or removed; any other is left in place, with the reason.
  async getDeletionPlan(login: string, disposal: HomeDisposal = 'archive'): Promise<HomePlan> {
    const account = this.#store.database.passwd.get(login);
    if (!account) throw new CoreError('not-found', `No account named ${quote(login)}`, { field: 'login' });
    return getHomePlan(this.#store.root, this.#store.database, account, disposal, this.#store.context.homeBase);
  }

  // Deletes an account; its home is archived by default (see getDeletionPlan).
  async deleteAccount(login: string, home: HomeDisposal = 'archive', by?: Requester): Promise<DeletedAccount> {
    const [deleted] = await this.deleteAccounts([login], home, by).catch((error: unknown) => {
      throw error instanceof CoreError && error.cause instanceof CoreError ? error.cause : error;
    });
    return deleted!;
  }

  // Deletes many accounts in one transaction with their homes: each home is moved (to the
  // archives, or aside to be removed) before the files are written, and moved back if they
  // are not; a removed home is deleted once the accounts are gone.
  // With `by`, Licorn's rules are checked for each account inside the transaction.
  async deleteAccounts(logins: string[], home: HomeDisposal = 'archive', by?: Requester): Promise<DeletedAccount[]> {
    const { root } = this.#store;
    const done: { archive: string | null; home: HomePlan }[] = [];
    const removed = await this.#store.transact(
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

  // Creates a group; a standard one gets its helper groups and its shared directory.
  async createGroup(input: NewGroup, by?: Requester): Promise<GroupView> {
    const entry = await this.#store.transact(
      (db, context) => {
        if (by) checkNewGroupRules(getActorIn(db, by), input, context.defs, by.adminGroups);
        const created = applyCreateGroup(db, input, context);
        if (hasRoles(db, created.name)) checkShareClear(db, created.name, 'name');
        return created;
      },
      (created, steps, db) => this.#shares.create(db, steps, created.name),
    );
    return this.getGroup(entry.name)!;
  }

  // Whether a standard group's share is permissive (null without a share): group-shares.ts.
  getPermissive(name: string): Promise<boolean | null> {
    return this.#shares.getPermissive(name);
  }

  // Makes a standard group's share permissive or not (see updateGroup).
  async setPermissive(name: string, permissive: boolean): Promise<void> {
    await this.updateGroup(name, { permissive });
  }

  // Deletes a group (with its helpers); its shared directory is archived.
  async deleteGroup(
    name: string,
    options: { allowProtected?: boolean; by?: Requester } = {},
  ): Promise<{ archive: string | null }> {
    const hadShare = hasRoles(this.#store.database, name);
    let archive: string | null = null;
    await this.#store.transact(
      (db, context) => {
        // The caller's rights, read from the files as they are now (a demotion not yet seen
        // by the watcher counts). Checked after the core's own refusals (protected groups, someone's
        // primary group), whose reasons say more; a refusal still rolls everything back.
        const group = options.by ? getGroupView(db, context.defs, name) : null;
        const actor = options.by ? getActorIn(db, options.by) : null;
        applyDeleteGroup(db, name, options);
        if (actor && group) checkGroupChange(actor, group, options.by!.adminGroups);
      },
      async (_, steps) => {
        if (hadShare) archive = await this.#shares.archive(steps, name);
      },
    );
    return { archive };
  }

  // Renames a group, its helpers and its shared directory (see updateGroup).
  async renameGroup(name: string, newName: string): Promise<GroupView> {
    return this.updateGroup(name, { newName });
  }

  // Sets a group's description (empty removes it).
  async setGroupDescription(name: string, description: string): Promise<GroupView> {
    return this.updateGroup(name, { description });
  }

  // Every change a PATCH of a group asks for, in one transaction: all are checked first
  // (the version it was based on, the description, the new name free and well-formed,
  // permissive only for a group with a share), then the description and the rename are
  // made in the files, the share follows the rename and gets its new ACL as undoable
  // steps; a refusal or a failure anywhere leaves every file, mode and ACL as it was.
  async updateGroup(name: string, update: GroupUpdate, by?: Requester): Promise<GroupView> {
    const { version, description, permissive } = update;
    const newName = update.newName !== undefined && update.newName !== name ? update.newName : null;
    await this.#store.transact(
      (db, context) => {
        const group = getGroupView(db, context.defs, name);
        if (!group) throw new CoreError('not-found', `No group named ${quote(name)}`, { field: 'name' });
        if (by) checkGroupChange(getActorIn(db, by), group, by.adminGroups, update.newName);
        if (version !== undefined && group.version !== version) {
          const message =
            `Group ${quote(name)} was changed elsewhere since you loaded it: ` +
            'reload to see the change, then apply yours';
          throw new CoreError('conflict', message, { field: 'version' });
        }
        if (permissive !== undefined && !hasRoles(db, name)) {
          const message = `The group ${quote(name)} has no shared directory (it is not a standard Licorn group)`;
          throw new CoreError('invalid-argument', message, { field: 'permissive' });
        }
        if (description !== undefined) applySetGroupDescription(db, name, description);
        if (newName !== null) {
          applyRenameGroup(db, name, newName);
          if (hasRoles(db, newName)) checkShareClear(db, newName, 'newName');
        }
      },
      async (_, steps, db) => {
        const final = newName ?? name;
        if (newName !== null && hasRoles(db, newName)) await this.#shares.rename(steps, name, newName);
        if (permissive !== undefined) await this.#shares.setPermissiveStep(db, steps, final, permissive);
      },
    );
    return this.getGroup(newName ?? name)!;
  }

  // The role of an account in a standard group.
  getRole(group: string, login: string): GroupRole {
    return getRole(this.#store.database, group, login);
  }

  // Makes an account guest, member or responsible of a standard group (or none of them).
  async setRole(group: string, login: string, role: GroupRole, by?: Requester): Promise<void> {
    await this.setRoles(group, [login], role, by).catch((error: unknown) => {
      throw error instanceof CoreError && error.cause instanceof CoreError ? error.cause : error;
    });
  }

  // Gives many accounts the same role in a standard group, in one transaction.
  async setRoles(group: string, logins: string[], role: GroupRole, by?: Requester): Promise<void> {
    await this.#changeGroupsOf(logins, by, (db, login) => applySetRole(db, group, login, role));
  }

  // Applies `change` to each account in one transaction; with `by`, each is checked for
  // 'change-groups' and its change of groups against Licorn's rules, on the database as it
  // is inside the transaction.
  #changeGroupsOf(
    logins: string[],
    by: Requester | undefined,
    change: (db: AccountDatabase, login: string) => void,
  ): Promise<void[]> {
    return this.#store.transact((db, context) =>
      mapRows(logins, (login) => {
        const request = by ? checkAccountRequest(db, context.defs, by, login, ['change-groups']) : null;
        change(db, login);
        request?.checkGroups();
      }),
    );
  }

  // Renames an account; with moveHome its home /x/<login> becomes /x/<newLogin> and moves
  // (only the account's own directory, to a place the path rule allows; anything else is
  // refused before a byte is written), with renameGroup its primary group of the same name
  // is renamed too.
  async renameAccount(
    login: string,
    newLogin: string,
    options: { moveHome?: boolean; renameGroup?: boolean } = {},
  ): Promise<AccountView> {
    return this.updateAccount(login, { newLogin, ...options });
  }

  async addMember(group: string, login: string, by?: Requester): Promise<void> {
    await this.#changeGroupsOf([login], by, (db) => applyAddMember(db, group, login)).catch(unwrapRow);
  }

  async removeMember(group: string, login: string, by?: Requester): Promise<void> {
    await this.#changeGroupsOf([login], by, (db) => applyRemoveMember(db, group, login)).catch(unwrapRow);
  }

  // Every account as CSV (login, full name, uid, groups…; never a hash).
  exportCsv(): string {
    return formatAccountsCsv(this.listAccounts());
  }

  // Imports accounts from CSV. Every row is checked first, against the accounts and the rows
  // before it; `dryRun` stops there and reports. Otherwise rows with problems refuse the
  // whole import (nothing written) unless `skipInvalid`, and the rest are created in one
  // transaction (without homes when createHomes is false).
  async importCsv(
    text: string,
    options: {
      mapping?: CsvMapping;
      dryRun?: boolean;
      skipInvalid?: boolean;
      createHomes?: boolean;
      onProgress?: ProgressListener;
      by?: Requester;
    } = {},
  ): Promise<{ problems: { row: number; field: string; message: string }[]; created: string[] }> {
    const rows = parseAccountsCsv(text, options.mapping);
    const trial = this.#store.database.clone();
    // Licorn's rules per row: the dry run reports a refusal as the row's problem.
    const rules = options.by ? { actor: getActorIn(trial, options.by), by: options.by } : undefined;
    const problems: { row: number; field: string; message: string }[] = [];
    const valid: CsvAccountRow[] = [];
    const report = throttleProgress(options.onProgress);
    for (const [index, row] of rows.entries()) {
      report('checking', index + 1, rows.length);
      try {
        // A home in the way would refuse the real import too: it is reported now.
        await this.#tryCreate(
          trial,
          { ...toNewAccount(row), password: row.password },
          options.createHomes !== false,
          rules,
        );
        valid.push(row);
      } catch (error) {
        if (!(error instanceof CoreError)) throw error;
        problems.push({ row: row.row, field: error.field ?? 'row', message: error.message });
      }
    }
    if (options.dryRun) return { problems, created: [] };
    if (problems.length > 0 && !options.skipInvalid) {
      throw new CoreError(
        'invalid-argument',
        `${problems.length} of ${rows.length} rows have problems; nothing was imported (see the dry run)`,
        { field: 'csv' },
      );
    }
    const created = await this.createAccounts(
      valid.map((row) => ({
        ...toNewAccount(row),
        password: row.password ?? null,
        createHome: options.createHomes !== false,
      })),
      { onProgress: options.onProgress, by: options.by },
    );
    return { problems, created: created.map(({ account }) => account.login) };
  }

  // Waits until every change seen so far has been applied and emitted.
  settle(): Promise<void> {
    return this.#store.settle();
  }

  close(): Promise<void> {
    return this.#store.close();
  }
}

// One row's refusal said as itself (an operation on one account).
function unwrapRow(error: unknown): never {
  throw error instanceof CoreError && error.cause instanceof CoreError ? error.cause : error;
}
