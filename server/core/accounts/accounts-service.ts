import { rename as renamePath } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { CoreError } from '../errors.ts';
import type { EventBus } from '../events/event-bus.ts';
import { AccountsStore } from './accounts-store.ts';
import { getAccountView, getGroupView, getMembershipIndex, type AccountView, type GroupView } from './account-view.ts';
import {
  applyCreateAccount, applyDeleteAccount, applyForcePasswordChange, applyModifyAccount, applyRenameAccount, applySetExpiry,
  applySetHash, applySetLocked, applyAddMember, applyAddMembers, applyRemoveMember, checkLoginFree, type AccountChanges, type NewAccount,
} from './account-operations.ts';
import { applyCreateGroup, applyDeleteGroup, applyRenameGroup, applySetGroupDescription, type NewGroup } from './group-operations.ts';
import { applySetRole, getRole, hasRoles, type GroupRole } from './licorn-roles.ts';
import { GroupShares } from './group-shares.ts';
import { archiveHome, checkNewHome, createHome, removeHome, reownHome, resolveUnderRoot } from './homes.ts';
import { formatAccountsCsv, parseAccountsCsv, toNewAccount, type CsvAccountRow, type CsvMapping } from './account-csv.ts';
import { atRow, mapRows } from './bulk-rows.ts';
import { createPassword, hashPassword, validatePassword } from './password-policy.ts';
import type { ShadowEntry } from './parse-shadow.ts';
import type { AccountDatabase } from './account-database.ts';
import { validateName, quote } from './validate-fields.ts';
import { throttleProgress, type ProgressListener } from './report-progress.ts';
import type { AccountCounts } from './account-counts.ts';

export type { ProgressListener } from './report-progress.ts';
export type { AccountCounts } from './account-counts.ts';

// What creating an account takes. Without a password one is generated and returned once;
// `null` creates it with no password at all (`!`, as useradd does without -p).
export interface CreateAccountInput extends Omit<NewAccount, 'hash'> {
  password?: string | null;
  createHome?: boolean;
}

// What deleting an account does with its home.
export type HomeDisposal = 'archive' | 'remove' | 'keep';

// The operations on the machine's accounts and groups, for the web layer and the CLI:
// each validates, writes through the store (locks, atomic files), then the store emits.
export class AccountsService {
  readonly #store: AccountsStore;
  #counts: { revision: number; counts: AccountCounts } | null = null;
  #groups: { revision: number; views: readonly GroupView[] } | null = null;

  readonly #shares: GroupShares;

  private constructor(store: AccountsStore, events: EventBus) {
    this.#store = store;
    this.#shares = new GroupShares(store, events);
  }

  // Opens the account files under `root` and starts following outside changes.
  static async open(options: { root: string; events: EventBus; lockTimeoutMs?: number }): Promise<AccountsService> {
    return new AccountsService(await AccountsStore.open(options), options.events);
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
    return Array.from(database.passwd.entries(), (entry) => getAccountView(database, context.defs, entry.login, index)!);
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
    const { database, context: { defs } } = this.#store;
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
  async createAccount(input: CreateAccountInput): Promise<{ account: AccountView; generatedPassword: string | null }> {
    const [created] = await this.createAccounts([input]).catch((error: unknown) => {
      // One account: name the field itself, not "row 1".
      throw error instanceof CoreError && error.cause instanceof CoreError ? error.cause : error;
    });
    return created!;
  }

  // Creates many accounts in one transaction: each file is written once, and one refused
  // row (its field named `accounts.<row>.<field>`) leaves every file as it was.
  async createAccounts(inputs: CreateAccountInput[], options: { onProgress?: ProgressListener } = {}): Promise<{ account: AccountView; generatedPassword: string | null }[]> {
    const report = throttleProgress(options.onProgress);
    let hashed = 0;
    const prepared = await Promise.all(inputs.map(async (input, row) => {
      try {
        const login = validateName(input.login, 'login');
        // An existing account is the first thing to say (its home is in the way too).
        checkLoginFree(this.#store.database, login);
        // Check where the home would go before anything is written: a refused home must not
        // leave an account behind.
        if (input.createHome !== false) await checkNewHome(this.#store.root, input.home ?? `/home/${login}`);
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
    }));
    report('writing', 0, 1, true);
    const entries = await this.#store.transact((db, context) => {
      const memberships = new Map<string, string[]>();
      const created = mapRows(prepared, ({ input, login, hash }) => applyCreateAccount(db, { ...input, login, hash }, context, memberships));
      for (const [group, logins] of memberships) applyAddMembers(db, group, logins);
      return created;
    });
    report('homes', 0, entries.length, true);
    for (const [row, entry] of entries.entries()) {
      report('homes', row + 1, entries.length);
      if (prepared[row]!.input.createHome === false) continue;
      try {
        await createHome(this.#store.root, entry.home, join(this.#store.etcDir, 'skel'), entry, this.#store.context.defs.homeMode);
      } catch (error) {
        throw new CoreError('internal-error', `Account ${quote(entry.login)} was created, but not its home ${entry.home}: ${(error as Error).message}`, { field: 'home', cause: error });
      }
    }
    return entries.map((entry, row) => ({ account: this.getAccount(entry.login)!, generatedPassword: prepared[row]!.generatedPassword }));
  }

  // The problems of a would-be account, one per field at fault, without writing anything:
  // the create form asks as the admin types. A field found at fault is set aside and the
  // rest checked again.
  async checkNewAccount(input: CreateAccountInput): Promise<{ field: string; message: string }[]> {
    const trial = this.#store.database.clone();
    const problems: { field: string; message: string }[] = [];
    const candidate: Record<string, unknown> = { ...input };
    for (let attempt = 0; attempt < 10; attempt += 1) {
      try {
        await this.#tryCreate(trial, candidate as unknown as CreateAccountInput, input.createHome !== false);
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
  // makes: the password policy, each field, the home; throws the first problem.
  async #tryCreate(trial: AccountDatabase, input: CreateAccountInput, withHome: boolean): Promise<void> {
    if (typeof input.password === 'string') validatePassword(input.password, input.login ?? '');
    const entry = applyCreateAccount(trial, { ...input, hash: '!' }, this.#store.context);
    if (withHome) await checkNewHome(this.#store.root, entry.home);
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
  // (field `accounts.<row>.<field>`) leaves every file as it was.
  async modifyAccounts(rows: (AccountChanges & { login: string })[]): Promise<AccountView[]> {
    const changed = await this.#store.transact((db, context) => mapRows(rows, ({ login, ...changes }) => applyModifyAccount(db, login, changes, context)));
    for (const { before, after } of changed) {
      if (before.uid === after.uid && before.gid === after.gid) continue;
      await reownHome(this.#store.root, after.home, before, after).catch((error: unknown) => {
        throw new CoreError('internal-error', `Account ${quote(after.login)} was changed, but its home ${after.home} could not be re-owned: ${(error as Error).message}`, { field: 'home', cause: error });
      });
    }
    return changed.map(({ after }) => this.getAccount(after.login)!);
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

  // Deletes an account; its home is archived by default. Returns where the archive went.
  async deleteAccount(login: string, home: HomeDisposal = 'archive'): Promise<{ archive: string | null }> {
    const removed = await this.#store.transact((db) => applyDeleteAccount(db, login));
    if (home === 'archive') return { archive: await archiveHome(this.#store.root, removed.home, login) };
    if (home === 'remove') await removeHome(this.#store.root, removed.home);
    return { archive: null };
  }

  // Deletes many accounts in one transaction, then deals with their homes.
  async deleteAccounts(logins: string[], home: HomeDisposal = 'archive'): Promise<{ login: string; archive: string | null }[]> {
    const removed = await this.#store.transact((db) => mapRows(logins, (login) => applyDeleteAccount(db, login)));
    const results: { login: string; archive: string | null }[] = [];
    for (const entry of removed) {
      if (home === 'archive') results.push({ login: entry.login, archive: await archiveHome(this.#store.root, entry.home, entry.login) });
      else {
        if (home === 'remove') await removeHome(this.#store.root, entry.home);
        results.push({ login: entry.login, archive: null });
      }
    }
    return results;
  }

  // Creates a group; a standard one gets its helper groups and its shared directory.
  async createGroup(input: NewGroup): Promise<GroupView> {
    const entry = await this.#store.transact((db, context) => applyCreateGroup(db, input, context));
    await this.#shares.create(entry.name);
    return this.getGroup(entry.name)!;
  }

  // Whether a standard group's share is permissive (null without a share): group-shares.ts.
  getPermissive(name: string): Promise<boolean | null> {
    return this.#shares.getPermissive(name);
  }

  // Makes a standard group's share permissive or not: group-shares.ts.
  setPermissive(name: string, permissive: boolean): Promise<void> {
    return this.#shares.setPermissive(name, permissive);
  }

  // Deletes a group (with its helpers); its shared directory is archived.
  async deleteGroup(name: string, options: { allowProtected?: boolean } = {}): Promise<{ archive: string | null }> {
    const hadShare = hasRoles(this.#store.database, name);
    await this.#store.transact((db) => applyDeleteGroup(db, name, options));
    return { archive: hadShare ? await this.#shares.archive(name) : null };
  }

  // Renames a group, its helpers and its shared directory.
  async renameGroup(name: string, newName: string): Promise<GroupView> {
    const hadShare = hasRoles(this.#store.database, name);
    await this.#store.transact((db) => applyRenameGroup(db, name, newName));
    if (hadShare) await this.#shares.rename(name, newName);
    return this.getGroup(newName)!;
  }

  // Sets a group's description (empty removes it).
  async setGroupDescription(name: string, description: string): Promise<GroupView> {
    await this.#store.transact((db) => applySetGroupDescription(db, name, description));
    return this.getGroup(name)!;
  }

  // The role of an account in a standard group.
  getRole(group: string, login: string): GroupRole {
    return getRole(this.#store.database, group, login);
  }

  // Makes an account guest, member or responsible of a standard group (or none of them).
  async setRole(group: string, login: string, role: GroupRole): Promise<void> {
    await this.#store.transact((db) => applySetRole(db, group, login, role));
  }

  // Gives many accounts the same role in a standard group, in one transaction.
  async setRoles(group: string, logins: string[], role: GroupRole): Promise<void> {
    await this.#store.transact((db) => mapRows(logins, (login) => applySetRole(db, group, login, role)));
  }

  // Renames an account; with moveHome its home /x/<login> becomes /x/<newLogin> and moves,
  // with renameGroup its primary group of the same name is renamed too.
  async renameAccount(login: string, newLogin: string, options: { moveHome?: boolean; renameGroup?: boolean } = {}): Promise<AccountView> {
    const old = this.getAccount(login);
    const home = options.moveHome && old && posix.basename(old.home) === login ? posix.join(dirname(old.home), newLogin) : undefined;
    await this.#store.transact((db) => applyRenameAccount(db, login, newLogin, { home, renameGroup: options.renameGroup }));
    if (home && old) {
      await renamePath(await resolveUnderRoot(this.#store.root, old.home), await resolveUnderRoot(this.#store.root, home)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw new CoreError('internal-error', `Account renamed, but its home could not move to ${home}: ${error.code}`, { field: 'home', cause: error });
      });
    }
    return this.getAccount(newLogin)!;
  }

  async addMember(group: string, login: string): Promise<void> {
    await this.#store.transact((db) => applyAddMember(db, group, login));
  }

  async removeMember(group: string, login: string): Promise<void> {
    await this.#store.transact((db) => applyRemoveMember(db, group, login));
  }

  // Every account as CSV (login, full name, uid, groups…; never a hash).
  exportCsv(): string {
    return formatAccountsCsv(this.listAccounts());
  }

  // Imports accounts from CSV. Every row is checked first, against the accounts and the rows
  // before it; `dryRun` stops there and reports. Otherwise rows with problems refuse the
  // whole import (nothing written) unless `skipInvalid`, and the rest are created in one
  // transaction (without homes when createHomes is false).
  async importCsv(text: string, options: { mapping?: CsvMapping; dryRun?: boolean; skipInvalid?: boolean; createHomes?: boolean; onProgress?: ProgressListener } = {}):
    Promise<{ problems: { row: number; field: string; message: string }[]; created: string[] }> {
    const rows = parseAccountsCsv(text, options.mapping);
    const trial = this.#store.database.clone();
    const problems: { row: number; field: string; message: string }[] = [];
    const valid: CsvAccountRow[] = [];
    const report = throttleProgress(options.onProgress);
    for (const [index, row] of rows.entries()) {
      report('checking', index + 1, rows.length);
      try {
        // A home in the way would refuse the real import too: it is reported now.
        await this.#tryCreate(trial, { ...toNewAccount(row), password: row.password }, options.createHomes !== false);
        valid.push(row);
      } catch (error) {
        if (!(error instanceof CoreError)) throw error;
        problems.push({ row: row.row, field: error.field ?? 'row', message: error.message });
      }
    }
    if (options.dryRun) return { problems, created: [] };
    if (problems.length > 0 && !options.skipInvalid) {
      throw new CoreError('invalid-argument', `${problems.length} of ${rows.length} rows have problems; nothing was imported (see the dry run)`, { field: 'csv' });
    }
    const created = await this.createAccounts(valid.map((row) => ({ ...toNewAccount(row), password: row.password ?? null, createHome: options.createHomes !== false })), { onProgress: options.onProgress });
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
