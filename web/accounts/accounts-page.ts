// The accounts page: filters as the admin types, sorts and pages through /accounts/-/rows,
// keeps pushed rows in line with the filter, and runs bulk actions on the selection.
import { registerChart } from '../stream/stream-actions.ts';
import { callApi, notify } from '../api.ts';
import { matchesFilter } from './search-text.ts';
import { t } from '../i18n.ts';

interface RowsAnswer {
  rows: string;
  pager: string;
  matched: number;
  page: number;
  generation: number;
  url: string;
}

// Starts the page's behaviour (called when <body data-page="accounts">).
export function startAccountsPage(): void {
  const form = document.getElementById('accounts-filter') as HTMLFormElement;
  const body = document.getElementById('account-rows') as HTMLTableSectionElement;
  const filterInput = form.elements.namedItem('q') as HTMLInputElement;
  const systemInput = form.elements.namedItem('system') as HTMLInputElement;
  const selected = new Set<string>();
  let generation = Number(body.dataset.generation);
  let controller: AbortController | null = null;

  // The address bar follows the query, but not at every key press: replacing the URL made
  // Chromium style every link of the page again, a fifth of a key press's main-thread time
  // with 100 rows. It is written once typing pauses, and before a click leaves the page.
  let pendingUrl: string | null = null;
  let urlTimer = 0;
  const writeUrl = () => {
    window.clearTimeout(urlTimer);
    if (pendingUrl !== null && pendingUrl !== location.pathname + location.search)
      history.replaceState(null, '', pendingUrl);
    pendingUrl = null;
  };
  document.addEventListener('click', writeUrl, { capture: true });

  const getParams = (changes: Record<string, string> = {}) => {
    const params = new URLSearchParams(new FormData(form) as unknown as Record<string, string>);
    for (const [key, value] of Object.entries(changes)) params.set(key, value);
    for (const [key, value] of [...params])
      if (value === '' || (key === 'order' && value === 'asc') || (key === 'sort' && value === 'login'))
        params.delete(key);
    return params;
  };

  // Fetches the rows for the form's query; a newer request cancels an older one.
  const loadRows = async (changes: Record<string, string> = {}) => {
    controller?.abort();
    controller = new AbortController();
    const params = getParams(changes);
    let answer: RowsAnswer;
    try {
      answer = await callApi<RowsAnswer>('GET', `/accounts/-/rows?${params}`, undefined, controller.signal);
    } catch (error) {
      if ((error as Error).name !== 'AbortError')
        notify(t('accounts.loadFailed', { message: (error as Error).message }), 'error');
      return;
    }
    body.innerHTML = answer.rows;
    // Rows of the query asked for: not pushed ones to check one by one against the filter.
    pushedRows.takeRecords();
    document.getElementById('accounts-pager')!.outerHTML = answer.pager;
    generation = answer.generation;
    body.dataset.generation = String(generation);
    pendingUrl = answer.url;
    window.clearTimeout(urlTimer);
    urlTimer = window.setTimeout(writeUrl, 400);
    applySelection();
  };

  filterInput.addEventListener('input', () => void loadRows({ page: '1' }));
  systemInput.addEventListener('change', () => void loadRows({ page: '1' }));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void loadRows({ page: '1' });
  });

  // Sorting and paging links work without script; with it, only the rows are fetched.
  document.addEventListener('click', (event) => {
    const link = (event.target as Element).closest<HTMLAnchorElement>('a[data-sort], a[data-page-link]');
    if (!link) return;
    event.preventDefault();
    if (link.dataset.pageLink) {
      void loadRows({ page: link.dataset.pageLink });
      return;
    }
    const sort = link.dataset.sort!;
    const sortInput = form.elements.namedItem('sort') as HTMLInputElement;
    const orderInput = form.elements.namedItem('order') as HTMLInputElement;
    orderInput.value = sortInput.value === sort && orderInput.value === 'asc' ? 'desc' : 'asc';
    sortInput.value = sort;
    document.querySelectorAll('.accounts-table th[aria-sort]').forEach((header) => header.removeAttribute('aria-sort'));
    link.closest('th')!.setAttribute('aria-sort', orderInput.value === 'asc' ? 'ascending' : 'descending');
    void loadRows({ page: '1' });
  });

  // A pushed new row lands on top of the table: dropped again if the filter or the
  // system toggle would not show it.
  const pushedRows = new MutationObserver((records) => {
    for (const record of records) {
      record.addedNodes.forEach((node) => {
        if (!(node instanceof HTMLTableRowElement)) return;
        const shown =
          (systemInput.checked || node.dataset.system !== 'yes') &&
          matchesFilter(node.dataset.search ?? '', filterInput.value);
        if (!shown) node.remove();
        else if (selected.has(node.querySelector<HTMLInputElement>('input[name="selected"]')?.value ?? ''))
          applySelection();
      });
    }
  });
  pushedRows.observe(body, { childList: true });

  // The server asks for a reload after a burst of changes, and tells a (re)connecting page
  // which generation of the list is current.
  registerChart('account-rows', (data) => {
    const { reload, generation: current } = data as { reload: boolean; generation: number };
    if (reload || current !== generation) void loadRows();
  });

  // Selection.
  const bulkBar = document.getElementById('accounts-bulk')!;
  const selectAll = document.getElementById('accounts-select-all') as HTMLInputElement;
  const applySelection = () => {
    body.querySelectorAll<HTMLInputElement>('input[name="selected"]').forEach((box) => {
      box.checked = selected.has(box.value);
    });
    bulkBar.hidden = selected.size === 0;
    document.getElementById('accounts-selected-count')!.textContent = t('accounts.selected', { count: selected.size });
  };
  body.addEventListener('change', (event) => {
    const box = event.target as HTMLInputElement;
    if (box.name !== 'selected') return;
    if (box.checked) selected.add(box.value);
    else selected.delete(box.value);
    applySelection();
  });
  selectAll.addEventListener('change', () => {
    body.querySelectorAll<HTMLInputElement>('input[name="selected"]').forEach((box) => {
      if (selectAll.checked) selected.add(box.value);
      else selected.delete(box.value);
    });
    applySelection();
  });

  bulkBar.addEventListener('click', (event) => {
    const button = (event.target as Element).closest<HTMLButtonElement>('button[data-bulk]');
    if (button) void runBulk(button.dataset.bulk!);
  });
  const runBulk = async (action: string) => {
    const logins = [...selected];
    if (action === 'export') {
      await exportSelection(logins);
      return;
    }
    const request: Record<string, unknown> = { action, logins };
    if (action === 'delete') {
      const home = (document.getElementById('bulk-home') as HTMLSelectElement | null)?.value ?? 'archive';
      const homes =
        home === 'remove'
          ? t('accounts.bulk.homes.remove')
          : home === 'keep'
            ? t('accounts.bulk.homes.keep')
            : t('accounts.bulk.homes.archive');
      const question =
        logins.length === 1
          ? t('accounts.bulk.deleteOne', { login: logins[0], homes })
          : t('accounts.bulk.deleteMany', { count: logins.length, homes });
      if (!confirm(question)) return;
      request.home = home;
    }
    if (action === 'add-to-group') {
      request.group = (document.getElementById('bulk-group') as HTMLSelectElement).value;
      request.role = (document.getElementById('bulk-role') as HTMLSelectElement).value;
    }
    try {
      await callApi('POST', '/api/v1/accounts/bulk', request);
      notify(describeBulkDone(action, logins.length));
      if (action === 'delete') selected.clear();
      applySelection();
    } catch (error) {
      notify((error as Error).message, 'error');
    }
  };
}

// What a bulk action did, in words ("lock: done for 3 accounts").
function describeBulkDone(action: string, count: number): string {
  if (action === 'lock') return t('accounts.bulk.locked', { count });
  if (action === 'unlock') return t('accounts.bulk.unlocked', { count });
  if (action === 'delete') return t('accounts.bulk.deleted', { count });
  if (action === 'add-to-group') return t('accounts.bulk.added', { count });
  return t('accounts.bulk.done', { count });
}

// Downloads the selected accounts as CSV: the full export, cut down to their lines.
async function exportSelection(logins: string[]): Promise<void> {
  const csv = await callApi<string>('GET', '/api/v1/accounts/export');
  const wanted = new Set(logins);
  const [header, ...lines] = csv.split('\n');
  const kept = lines.filter((line) => wanted.has(line.split(',')[0]!.replace(/^"|"$/g, '')));
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([[header, ...kept].join('\n') + '\n'], { type: 'text/csv' }));
  link.download = 'accounts-selected.csv';
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}
