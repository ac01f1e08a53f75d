import type { AccountView } from '../../core/accounts/account-view.ts';
import {
  accountPageSize,
  accountSortKeys,
  getSearchText,
  type AccountPage,
  type AccountQuery,
  type AccountSortKey,
} from './account-list.ts';

// The query string of the accounts page: `q`, `system=1`, `sort`, `order=desc`, `page`.
export interface AccountQueryString {
  q?: string;
  system?: string;
  sort?: string;
  order?: string;
  page?: string;
}

// Reads the page's query string; anything unknown falls back to the default (a bookmark
// from an older version still opens).
export function parseAccountQuery(query: AccountQueryString): AccountQuery {
  const sort = (accountSortKeys as readonly string[]).includes(query.sort ?? '')
    ? (query.sort as AccountSortKey)
    : 'login';
  const page = Number.parseInt(query.page ?? '1', 10);
  return {
    filter: (query.q ?? '').slice(0, 200),
    sort,
    descending: query.order === 'desc',
    withSystem: query.system === '1',
    page: Number.isFinite(page) ? page : 1,
  };
}

// The query string of a query, as the page's links carry it.
export function formatAccountQuery(query: AccountQuery, changes: Partial<AccountQuery> = {}): string {
  const next = { ...query, ...changes };
  const params = new URLSearchParams();
  if (next.filter) params.set('q', next.filter);
  if (next.withSystem) params.set('system', '1');
  if (next.sort !== 'login') params.set('sort', next.sort);
  if (next.descending) params.set('order', 'desc');
  if (next.page > 1) params.set('page', String(next.page));
  const text = params.toString();
  return text ? `/accounts/?${text}` : '/accounts/';
}

// What the rows and the pager need, for the page and for the rows endpoint.
export function getRowsData(list: AccountPage, query: AccountQuery): object {
  return {
    list,
    query,
    pageSize: accountPageSize,
    searchTexts: list.searches,
    pageUrl: (page: number) => formatAccountQuery(query, { page }),
  };
}

// What one row needs: the same for the first render and every push (byte-identical rows).
export function getRowData(account: AccountView): object {
  return { account, search: getSearchText(account) };
}
