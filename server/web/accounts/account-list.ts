import type { AccountView } from '../../core/accounts/account-view.ts';
import type { AccountsService } from '../../core/accounts/accounts-service.ts';
import type { EventBus } from '../../core/events/event-bus.ts';
import { followAccountLogins } from '../../core/events/account-logins.ts';
import { SearchIndex } from './search-index.ts';

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
  // Each row's search text (getSearchText), as the list keeps it.
  searches: string[];
  matched: number;
  page: number;
  pageCount: number;
  generation: number;
}

// Lowercase without accents, so that "lefevre" finds "Lefèvre" (the browser applies the
// same rule to pushed rows: web/accounts/search-text.ts).
export function getSearchText(account: AccountView): string {
  const groups = account.memberships.map((membership) => membership.group);
  const text = [account.login, account.fullName, account.uid, account.primaryGroup ?? '', ...groups].join(' ');
  // Printable ASCII has no accent to take off (most logins and names): two copies fewer each.
  if (/^[ -~]*$/.test(text)) return text.toLowerCase();
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

// An account's row, its search text once a filter needed it (the list built after an
// import is shown unfiltered first: 10,000 texts made for nothing), and its place in the
// generation's search index (-1 before one is built).
type Entry = { account: AccountView; search: string | null; slot: number };

const getEntrySearch = (entry: Entry): string => (entry.search ??= getSearchText(entry.account));

// Past this many accounts changed since the last query, the list is built again rather than
// patched (an import: one sort beats thousands of insertions).
const patchLimit = 500;

// From this many entries to filter, a filter's longest word is looked up in the search index
// (a join of every search text, once per generation) rather than tried on each entry.
const indexFrom = 4096;

// The accounts page's view of every account: built once (100,000 views and a collated sort
// cost about a second), then patched account by account as the files change (an outside
// useradd must not cost the next keystroke that second), then filtered, sorted and cut into
// pages per request. `generation` tells a page whether what it shows is out of date.
export class AccountList {
  readonly #accounts: AccountsService;
  #entries: Map<AccountSortKey, Entry[]> | null = null;
  // Accounts changed since the entries were last brought up to date; 'all' after a change
  // of a group (a rename or a new GID reaches every member's row).
  #pending: Set<string> | 'all' = new Set();
  // Matching entries by sort, toggle and filter words, for this generation.
  readonly #results = new Map<string, Entry[]>();
  #generation = 0;
  // The search texts of this generation's entries, joined (#getIndex).
  #index: { generation: number; index: SearchIndex } | null = null;
  readonly #indexFrom: number;
  readonly #stops: (() => void)[];

  // `options.indexFrom`: the fewest entries a filter looks up in the index (tests lower it).
  constructor(accounts: AccountsService, events: EventBus, options: { indexFrom?: number } = {}) {
    this.#accounts = accounts;
    this.#indexFrom = options.indexFrom ?? indexFrom;
    const changed = () => {
      this.#results.clear();
      this.#generation += 1;
    };
    const note = (login: string) => {
      if (this.#pending !== 'all') this.#pending.add(login);
      // Past the patch limit the list is built again anyway (#catchUp): an import's 10,000
      // logins need not be gathered one by one.
      if (this.#pending !== 'all' && this.#pending.size > patchLimit) this.#pending = 'all';
    };
    const forgetAll = () => {
      this.#pending = 'all';
      changed();
    };
    this.#stops = [
      ...followAccountLogins(events, note, changed),
      events.on('group-added', forgetAll),
      events.on('group-changed', forgetAll),
      events.on('group-removed', forgetAll),
    ];
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
      // A filter typed further (each word of an earlier one inside a word of this one) only
      // narrows that one's matches: a key press scans those, not every account.
      const from = this.#getNarrowed(`${query.sort}|${query.withSystem}|`, words) ?? this.#getSorted(query.sort);
      matching = this.#filter(from, words, query);
      this.#results.set(key, matching);
      // The latest few: paging through one filter, or going back to the unfiltered list.
      if (this.#results.size > 16) this.#results.delete(this.#results.keys().next().value!);
    }
    const pageCount = Math.max(1, Math.ceil(matching.length / accountPageSize));
    const page = Math.min(Math.max(1, query.page), pageCount);
    const start = (page - 1) * accountPageSize;
    const end = Math.min(matching.length, page * accountPageSize);
    const rows: AccountView[] = [];
    const searches: string[] = [];
    for (let position = start; position < end; position += 1) {
      const entry = matching[query.descending ? matching.length - 1 - position : position]!;
      rows.push(entry.account);
      searches.push(getEntrySearch(entry));
    }
    return { rows, searches, matched: matching.length, page, pageCount, generation: this.#generation };
  }

  // The entries of `from` (the query's sorted column or a part of it) holding every word.
  #filter(from: Entry[], words: string[], query: AccountQuery): Entry[] {
    const shown = (entry: Entry) => query.withSystem || !entry.account.system;
    if (words.length === 0 || from.length < this.#indexFrom)
      return from.filter((entry) => shown(entry) && words.every((word) => getEntrySearch(entry).includes(word)));
    // The longest word is likely the rarest: the index finds its texts, the rest are tried on those.
    const longest = words.reduce((a, b) => (b.length > a.length ? b : a));
    const rest = words.filter((word) => word !== longest);
    const found = this.#getIndex(query.sort).find(longest);
    return from.filter(
      (entry) => found[entry.slot] === 1 && shown(entry) && rest.every((word) => getEntrySearch(entry).includes(word)),
    );
  }

  // This generation's search index, built over the entries (each told its slot) once.
  #getIndex(sort: AccountSortKey): SearchIndex {
    if (this.#index?.generation === this.#generation) return this.#index.index;
    // The query's column (sorted already): every column holds the same entries.
    const entries = this.#getSorted(sort);
    entries.forEach((entry, slot) => {
      entry.slot = slot;
    });
    const index = new SearchIndex(entries.map(getEntrySearch));
    entries.forEach((entry, slot) => {
      entry.search = index.getText(slot);
    });
    this.#index = { generation: this.#generation, index };
    return index;
  }

  // The matches of a cached filter, of the same sort and toggle, that this one narrows (the
  // fewest), or null. The cache is emptied at every change, so they are current.
  #getNarrowed(prefix: string, words: string[]): Entry[] | null {
    let best: Entry[] | null = null;
    for (const [key, entries] of this.#results) {
      if (!key.startsWith(prefix) || (best && best.length <= entries.length)) continue;
      const earlier = key.slice(prefix.length).split(' ').filter(Boolean);
      if (earlier.every((word) => words.some((now) => now.includes(word)))) best = entries;
    }
    return best;
  }

  // Stops following changes.
  close(): void {
    this.#stops.forEach((stop) => stop());
  }

  // The entries in the order of a column, sorted once per column (a collated sort of
  // 10,000 costs more than a keystroke may) and patched as accounts change.
  #getSorted(key: AccountSortKey): Entry[] {
    this.#catchUp();
    this.#entries ??= new Map();
    let sorted = this.#entries.get(key);
    if (!sorted) {
      // Every column holds every entry: whichever was asked first after a build will do.
      const all =
        this.#entries.values().next().value ??
        this.#accounts.listAccounts().map((account): Entry => ({ account, search: null, slot: -1 }));
      sorted = [...all].sort(getEntryComparator(key));
      this.#entries.set(key, sorted);
    }
    return sorted;
  }

  // Brings the sorted entries up to date with the accounts changed since (#pending): each
  // changed account's entry is taken out of every sorted column and its new view put back
  // in its place (binary search); many changes, or a group's, drop them all instead. The
  // entries are detached while patched and #pending emptied only once done: a patch that
  // throws leaves a rebuild for the next query, never a column that missed the change.
  #catchUp(): void {
    const pending = this.#pending;
    const entries = this.#entries;
    if (entries === null || entries.size === 0 || pending === 'all' || pending.size > patchLimit) {
      if (entries !== null && (pending === 'all' || pending.size > 0)) this.#entries = null;
      this.#pending = new Set();
      return;
    }
    if (pending.size === 0) return;
    this.#entries = null;
    // Any column: the first one asked after a build may be any (uid, when the admin clicked it).
    const all = entries.values().next().value!;
    const stale = new Set<Entry>();
    for (const entry of all) if (pending.has(entry.account.login)) stale.add(entry);
    const fresh: Entry[] = [];
    for (const login of pending) {
      const account = this.#accounts.getAccount(login);
      if (account) fresh.push({ account: Object.freeze(account), search: null, slot: -1 });
    }
    for (const [key, sorted] of entries) {
      const kept = stale.size === 0 ? sorted : sorted.filter((entry) => !stale.has(entry));
      const compare = getEntryComparator(key);
      for (const entry of fresh) kept.splice(findPlace(kept, entry, compare), 0, entry);
      entries.set(key, kept);
    }
    this.#entries = entries;
    this.#pending = new Set();
  }
}

// Where `entry` goes in `sorted` (after its equals).
function findPlace(sorted: Entry[], entry: Entry, compare: (a: Entry, b: Entry) => number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compare(sorted[middle]!, entry) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

// The order of a column, ties by login.
function getEntryComparator(key: AccountSortKey): (a: Entry, b: Entry) => number {
  const compare = getComparator(key);
  return (a, b) => compare(a.account, b.account) || collator.compare(a.account.login, b.account.login);
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
