import type { AccountView } from '../../core/accounts/account-view.ts';
import type { AccountsService } from '../../core/accounts/accounts-service.ts';
import type { EventBus } from '../../core/events/event-bus.ts';

// The columns the accounts table sorts on.
export const accountSortKeys = ['login', 'fullName', 'uid', 'primaryGroup', 'locked', 'passwordChanged'] as const;
export type AccountSortKey = (typeof accountSortKeys)[number];

// What the accounts page asks for: a filter typed by the admin, a sort, a page.
export interface AccountQuery {
  filter: string;
  sort: AccountSortKey;
  descending: boolean;
  withSystem: boolean;
  page: number;
}

// How many rows a page of the table holds: a screenful and more, quick to render.
export const accountPageSize = 100;

// One page of the table and the figures around it.
export interface AccountPage {
  rows: AccountView[];
  matched: number;
  page: number;
  pageCount: number;
  generation: number;
}

// Lowercase without accents, so that "lefevre" finds "Lefèvre" (the browser applies the
// same rule to pushed rows: web/accounts/search-text.ts).
export function getSearchText(account: AccountView): string {
  const groups = account.memberships.map((membership) => membership.group);
  return [account.login, account.fullName, account.uid, account.primaryGroup ?? '', ...groups]
    .join(' ')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

type Entry = { account: AccountView; search: string };

// The accounts page's view of every account: built once after each change of the files
// (10,000 views take milliseconds, a filter keystroke must not pay them), then filtered,
// sorted and cut into pages per request. `generation` tells a page whether what it shows
// is out of date.
export class AccountList {
  readonly #accounts: AccountsService;
  #entries: Map<AccountSortKey, Entry[]> | null = null;
  // Matching entries by sort, toggle and filter words, for this generation.
  readonly #results = new Map<string, Entry[]>();
  #generation = 0;
  readonly #stops: (() => void)[];

  constructor(accounts: AccountsService, events: EventBus) {
    this.#accounts = accounts;
    const forget = () => {
      this.#entries = null;
      this.#results.clear();
      this.#generation += 1;
    };
    this.#stops = (
      [
        'account-added',
        'account-changed',
        'account-removed',
        'group-added',
        'group-changed',
        'group-members-changed',
        'group-removed',
      ] as const
    ).map((name) => events.on(name, forget));
  }

  // Changes with every change of an account or group.
  get generation(): number {
    return this.#generation;
  }

  // One page of the accounts matching `query`.
  query(query: AccountQuery): AccountPage {
    const words = query.filter
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .split(/\s+/)
      .filter(Boolean);
    const key = `${query.sort}|${query.withSystem}|${words.join(' ')}`;
    let matching = this.#results.get(key);
    if (!matching) {
      matching = this.#getSorted(query.sort).filter(
        (entry) => (query.withSystem || !entry.account.system) && words.every((word) => entry.search.includes(word)),
      );
      this.#results.set(key, matching);
      // The latest few: paging through one filter, or going back to the unfiltered list.
      if (this.#results.size > 16) this.#results.delete(this.#results.keys().next().value!);
    }
    const pageCount = Math.max(1, Math.ceil(matching.length / accountPageSize));
    const page = Math.min(Math.max(1, query.page), pageCount);
    const start = (page - 1) * accountPageSize;
    const end = Math.min(matching.length, page * accountPageSize);
    const rows: AccountView[] = [];
    for (let position = start; position < end; position += 1) {
      rows.push(matching[query.descending ? matching.length - 1 - position : position]!.account);
    }
    return { rows, matched: matching.length, page, pageCount, generation: this.#generation };
  }

  // Stops following changes.
  close(): void {
    this.#stops.forEach((stop) => stop());
  }

  // The entries in the order of a column, sorted once per generation and column (a
  // collated sort of 10,000 costs more than a keystroke may).
  #getSorted(key: AccountSortKey): Entry[] {
    this.#entries ??= new Map();
    let sorted = this.#entries.get(key);
    if (!sorted) {
      const compare = getComparator(key);
      const all =
        this.#entries.get('login') ??
        this.#accounts.listAccounts().map((account) => ({ account, search: getSearchText(account) }));
      sorted = [...all].sort(
        (a, b) => compare(a.account, b.account) || collator.compare(a.account.login, b.account.login),
      );
      this.#entries.set(key, sorted);
    }
    return sorted;
  }
}

const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });

function getComparator(key: AccountSortKey): (a: AccountView, b: AccountView) => number {
  switch (key) {
    case 'uid':
      return (a, b) => a.uid - b.uid;
    case 'locked':
      return (a, b) => Number(a.locked) - Number(b.locked);
    case 'passwordChanged':
      return (a, b) => (a.passwordChanged ?? -1) - (b.passwordChanged ?? -1);
    case 'primaryGroup':
      return (a, b) => collator.compare(a.primaryGroup ?? '', b.primaryGroup ?? '');
    default:
      return (a, b) => collator.compare(a[key], b[key]);
  }
}
