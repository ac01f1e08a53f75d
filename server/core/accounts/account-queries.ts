import type { AccountsStore } from './accounts-store.ts';
import {
  getAccountMemberships,
  getAccountView,
  getGroupView,
  getMembershipIndex,
  type AccountView,
  type GroupView,
  type MembershipIndex,
} from './account-view.ts';
import type { AccountCounts } from './account-counts.ts';
import { isStandardId } from './account-ranges.ts';
import type { ShadowEntry } from './parse-shadow.ts';
import { AccountSuggestions, type AccountSuggestion } from './account-suggestions.ts';

// Views built without the membership index per version of the files, before it is built.
export const singleViewsPerRevision = 16;

// What the pages read of the accounts and groups, computed from the store's database and
// kept until the files change (its revision moves).
export class AccountQueries {
  readonly #store: AccountsStore;
  #counts: { revision: number; counts: AccountCounts } | null = null;
  #groups: { revision: number; views: readonly GroupView[] } | null = null;
  #accounts: { revision: number; views: readonly AccountView[] } | null = null;
  #suggestions: { revision: number; index: AccountSuggestions } | null = null;
  #membership: { revision: number; index: MembershipIndex } | null = null;
  #singles = { revision: -1, count: 0 };

  constructor(store: AccountsStore) {
    this.#store = store;
  }

  // Every account, in file order.
  listAccounts(): readonly AccountView[] {
    // Kept until the files change: building 10,000 views (each with its version's hash) cost
    // 45 ms a request, most of `licorn get users` on a quiet machine.
    if (this.#accounts?.revision === this.#store.revision) return this.#accounts.views;
    const { database, context } = this.#store;
    const index = this.#getMembershipIndex();
    const views: AccountView[] = [];
    database.passwd.forEachEntry((entry) => {
      views.push(Object.freeze(getAccountView(database, context.defs, entry.login, index)!));
    });
    this.#accounts = { revision: this.#store.revision, views };
    return views;
  }

  // Standard accounts whose login or full name match what is typed (accents ignored), best
  // first, at most `limit`: the index is built once per version of the files.
  suggestAccounts(text: string, limit: number): AccountSuggestion[] {
    if (this.#suggestions?.revision !== this.#store.revision)
      this.#suggestions = { revision: this.#store.revision, index: new AccountSuggestions(this.listAccounts()) };
    return this.#suggestions.index.find(text, limit);
  }

  // One account's view: the first few after a change with the account's groups alone (a
  // pushed row), then with the whole membership index, built once per version of the files
  // (a page, or an import's rows, ask for one account after another).
  getAccount(login: string): AccountView | null {
    const { database, context, revision } = this.#store;
    if (this.#singles.revision !== revision) this.#singles = { revision, count: 0 };
    const single = this.#membership?.revision !== revision && (this.#singles.count += 1) <= singleViewsPerRevision;
    const index = single ? getAccountMemberships(database, login) : this.#getMembershipIndex();
    return getAccountView(database, context.defs, login, index);
  }

  // Who is in which group, kept until the files change: after an import, the pages ask for
  // one account after another (10,000 of them), and each built it anew (seconds in all).
  #getMembershipIndex(): MembershipIndex {
    if (this.#membership?.revision === this.#store.revision) return this.#membership.index;
    const index = getMembershipIndex(this.#store.database);
    this.#membership = { revision: this.#store.revision, index };
    return index;
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
    // (forEachEntry: no iterator result per account, at every version of the files.)
    database.passwd.forEachEntry((entry) => {
      if (isStandardId(entry.uid, defs.uidMin, defs.uidMax)) accounts += 1;
      else systemAccounts += 1;
    });
    let groups = 0;
    let systemGroups = 0;
    for (const entry of database.group.entries()) {
      if (isStandardId(entry.gid, defs.gidMin, defs.gidMax)) groups += 1;
      else systemGroups += 1;
    }
    return { accounts, systemAccounts, groups, systemGroups };
  }
}
