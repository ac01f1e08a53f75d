// The Terminal page: tabs of shells (opened with POST /api/v1/terminals, closed with DELETE),
// each an xterm.js joined to its own socket. Reloading the page finds the session's shells
// again (they outlive a page for terminal.keep); Ctrl+Shift+F searches the scrollback.
import { applyStyleNonce } from './style-nonce.ts';
import { TerminalTab, type TabState, type TerminalInfo } from './terminal-tab.ts';
import { ApiError, callApi, notify } from '../api.ts';
import { t } from '../i18n.ts';

// A terminal's state, in words, beside its description.
const stateLabels: Record<TabState, () => string> = {
  connecting: () => t('terminal.state.connecting'),
  live: () => t('terminal.state.live'),
  reconnecting: () => t('terminal.state.reconnecting'),
  ended: () => t('terminal.state.ended'),
};

function startTerminalPage(): void {
  const page = document.getElementById('terminal-page');
  if (!page) return;
  applyStyleNonce();
  const tabsBar = document.getElementById('terminal-tabs')!;
  const panes = document.getElementById('terminal-panes')!;
  const about = document.getElementById('terminal-about')!;
  const searchForm = document.getElementById('terminal-search') as HTMLFormElement;
  const searchText = document.getElementById('terminal-search-text') as HTMLInputElement;
  const osc52 = page.dataset.osc52 === 'on';
  const tabs = new Map<string, { tab: TerminalTab; button: HTMLElement; pane: HTMLElement }>();
  let active: string | null = null;

  const exists = async (id: string): Promise<boolean | null> => {
    try {
      const answer = await fetch('/api/v1/terminals', { credentials: 'same-origin' });
      if (answer.status === 401 || answer.status === 403) return false;
      if (!answer.ok) return null;
      return ((await answer.json()) as TerminalInfo[]).some((info) => info.id === id);
    } catch {
      return null;
    }
  };

  const showAbout = () => {
    const entry = active ? tabs.get(active) : null;
    about.textContent = entry ? `${entry.tab.info.description} · ${stateLabels[entry.tab.state]()}` : '';
  };

  const activate = (id: string) => {
    active = id;
    for (const [key, { button, pane, tab }] of tabs) {
      const isActive = key === id;
      // Plain buttons in a group (a tab holding a close button would nest controls).
      button.dataset.selected = String(isActive);
      button.querySelector('.terminal-tab-label')?.setAttribute('aria-pressed', String(isActive));
      pane.hidden = !isActive;
      if (isActive) {
        tab.fit();
        tab.term.focus();
      }
    }
    showAbout();
  };

  const addTab = (info: TerminalInfo, pane: HTMLElement, screen: ReturnType<typeof TerminalTab.createScreen>) => {
    const button = document.createElement('div');
    button.className = 'terminal-tab';
    button.dataset.terminal = info.id;
    const label = document.createElement('button');
    label.type = 'button';
    label.className = 'terminal-tab-label';
    label.textContent = `${info.runsAs} ${tabs.size + 1}`;
    label.addEventListener('click', () => activate(info.id));
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'terminal-tab-close';
    close.title = t('terminal.closeTitle');
    close.textContent = '×';
    close.setAttribute('aria-label', t('terminal.close', { name: label.textContent }));
    close.addEventListener('click', () => void closeTab(info.id));
    button.append(label, close);
    tabsBar.append(button);
    const tab = new TerminalTab(info, screen, {
      pane,
      osc52,
      exists,
      onState: (_tab, state) => {
        button.dataset.state = state;
        if (active === info.id) showAbout();
      },
    });
    tabs.set(info.id, { tab, button, pane });
    pane.dataset.terminal = info.id;
    tab.connect();
    activate(info.id);
  };

  const createPane = () => {
    const pane = document.createElement('div');
    pane.className = 'terminal-pane';
    panes.append(pane);
    return pane;
  };

  const openTab = async () => {
    const pane = createPane();
    const screen = TerminalTab.createScreen(pane);
    try {
      const info = await callApi<TerminalInfo>('POST', '/api/v1/terminals', {
        cols: screen.term.cols,
        rows: screen.term.rows,
      });
      addTab(info, pane, screen);
    } catch (error) {
      screen.term.dispose();
      pane.remove();
      notify(error instanceof ApiError ? error.message : t('terminal.openFailed'), 'error');
    }
  };

  const closeTab = async (id: string) => {
    const entry = tabs.get(id);
    if (!entry) return;
    tabs.delete(id);
    entry.tab.dispose();
    entry.button.remove();
    entry.pane.remove();
    if (active === id) {
      const next = tabs.keys().next();
      if (next.done) active = null;
      else activate(next.value);
    }
    showAbout();
    await callApi('DELETE', `/api/v1/terminals/${id}`).catch(() => {});
  };

  document.getElementById('terminal-new')!.addEventListener('click', () => void openTab());
  const find = (direction: string) => {
    const tab = active ? tabs.get(active)?.tab : null;
    if (!tab || !searchText.value) return;
    if (direction === 'previous') tab.search.findPrevious(searchText.value);
    else tab.search.findNext(searchText.value);
  };
  searchForm.addEventListener('submit', (event) => {
    event.preventDefault();
    find('next');
  });
  searchForm.querySelector('[data-direction="previous"]')!.addEventListener('click', () => find('previous'));
  searchForm.querySelector('[data-direction="next"]')!.addEventListener('click', () => find('next'));
  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey && event.shiftKey && event.code === 'KeyF') {
      event.preventDefault();
      searchForm.hidden = !searchForm.hidden;
      if (!searchForm.hidden) searchText.focus();
    }
  });

  const existing = JSON.parse(page.dataset.terminals ?? '[]') as TerminalInfo[];
  for (const info of existing) {
    const pane = createPane();
    addTab(info, pane, TerminalTab.createScreen(pane));
  }
  if (existing.length === 0) void openTab();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', startTerminalPage);
else startTerminalPage();
