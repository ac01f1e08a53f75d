// LICORN_BENCH_PAGES_COMPARE=path/to/dist/server/main.js: the pages bench's GETs, first rows
// and key presses by another build of the daemon (a checkout before a change, with its own
// dist/web) and by this one, over copies of the same root, in turn request by request and
// key by key (which goes first alternates), so that both meet the same load of a shared
// machine; LICORN_BENCH_PAGES_ROUNDS rounds (3).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent } from 'node:https';
import type { Browser, Page } from 'playwright-core';
import { getCookieHeader, logIn } from './browser.ts';
import { benchAccountsLabel } from './bench-accounts.ts';
import { printTable } from './print-table.ts';
import { getCpuMs, type ServerProcess, startDaemonOnRootCopy } from './processes.ts';
import {
  filterKeys,
  measureFirstRows,
  openAccounts,
  timeGet,
  timeKeyPress,
  watchFirstElement,
} from './pages-measures.ts';
import { median, quantile } from './statistics.ts';
import { readBenchCount } from './bench-settings.ts';

interface Side {
  daemon: ServerProcess;
  page: Page;
  cookie: string;
  url: string;
  accounts: number[];
  login: number[];
  rows: number[];
  accountsCpu: number[];
  firstRows: number[];
  firstLogin: number[];
  keystrokes: number[];
}

// Starts a daemon (`script`, or this build's) over its own copy of `root` in `dir`.
async function startSide(browser: Browser, dir: string, root: string, script: string | null): Promise<Side> {
  await mkdir(dir, { recursive: true });
  const daemon = await startDaemonOnRootCopy(dir, root, script ? { script } : {});
  const url = `https://127.0.0.1:${daemon.port}`;
  const page = await logIn(browser, url);
  await page.addInitScript(watchFirstElement);
  const cookie = await getCookieHeader(page);
  const empty = { accounts: [], login: [], rows: [], accountsCpu: [], firstRows: [], firstLogin: [], keystrokes: [] };
  return { daemon, page, cookie, url, ...empty };
}

// One round of GETs: /login/ and /accounts/ of each side in turn, request by request (the
// side that goes first alternates), then the filters, then each side's CPU per /accounts/.
async function measureGetsInTurn(sides: Side[], count = 50): Promise<void> {
  const agents = sides.map(() => new Agent({ keepAlive: true, maxSockets: 1 }));
  const get = (index: number, path: string, cookie: boolean) =>
    timeGet(sides[index]!.daemon.port, path, cookie ? sides[index]!.cookie : '', agents[index]!);
  try {
    for (let i = 0; i < 10; i += 1)
      for (const index of sides.keys()) {
        await get(index, '/accounts/', true);
        await get(index, '/login/', false);
      }
    for (let i = 0; i < count; i += 1)
      for (const index of i % 2 === 0 ? [0, 1] : [1, 0]) {
        sides[index]!.login.push(await get(index, '/login/', false));
        sides[index]!.accounts.push(await get(index, '/accounts/', true));
      }
    for (let i = 0; i < 30; i += 1)
      for (const index of i % 2 === 0 ? [0, 1] : [1, 0])
        sides[index]!.rows.push(await get(index, `/accounts/-/rows?q=bulk${i}`, true));
    for (const [index, side] of sides.entries()) {
      const before = await getCpuMs(side.daemon.child.pid!);
      for (let i = 0; i < 50; i += 1) await get(index, '/accounts/', true);
      side.accountsCpu.push(((await getCpuMs(side.daemon.child.pid!)) - before) / 50);
    }
  } finally {
    for (const agent of agents) agent.destroy();
  }
}

// One round in Chromium: each side's first rows, then the filter's keys typed into both pages
// key by key (the page that goes first alternates).
async function measurePagesInTurn(browser: Browser, sides: Side[]): Promise<void> {
  for (const side of sides) {
    const first = await measureFirstRows(browser, side.page, side.url);
    side.firstRows.push(...first.rows);
    side.firstLogin.push(...first.login);
    await openAccounts(side.page);
  }
  for (const [i, key] of filterKeys.entries())
    for (const index of i % 2 === 0 ? [0, 1] : [1, 0]) {
      const side = sides[index]!;
      await side.page.locator('#accounts-filter-text').focus();
      side.keystrokes.push(await timeKeyPress(side.page, key));
    }
}

// Runs both builds in turn and prints the after/before table.
export async function runPagesComparison(browser: Browser, dir: string, root: string, script: string): Promise<void> {
  const rounds = readBenchCount('LICORN_BENCH_PAGES_ROUNDS', 3);
  const before = await startSide(browser, join(dir, 'before'), root, script);
  const after = await startSide(browser, join(dir, 'after'), root, null);
  try {
    for (let round = 0; round < rounds; round += 1) {
      await measureGetsInTurn([before, after]);
      await measurePagesInTurn(browser, [before, after]);
      process.stdout.write(
        `round ${round + 1}: key press median/p95 before ${median(before.keystrokes).toFixed(0)}/` +
          `${quantile(before.keystrokes, 0.95).toFixed(0)}, after ${median(after.keystrokes).toFixed(0)}/` +
          `${quantile(after.keystrokes, 0.95).toFixed(0)} ms (so far)\n`,
      );
    }
  } finally {
    await Promise.all([before.daemon.stop(), after.daemon.stop()]);
  }
  const ratio = (side: Side) => median(side.accounts) / median(side.login);
  const figures: [string, (side: Side) => number, string][] = [
    ['GET /accounts/ (first 100 rows), median ms', (side) => median(side.accounts), '—'],
    ['GET /login/, median ms', (side) => median(side.login), '—'],
    ['GET /accounts/ ÷ GET /login/ (each build its own)', ratio, '≤ 5'],
    ['GET /accounts/-/rows?q=… (a filter), median ms', (side) => median(side.rows), '—'],
    ["GET /accounts/: daemon's CPU per request, ms", (side) => median(side.accountsCpu), '—'],
    ['Chromium: first row shown, median ms', (side) => median(side.firstRows), '< 1000 ms'],
    ["Chromium: /login/'s first field shown, median ms", (side) => median(side.firstLogin), '—'],
    ['Chromium: filter key press → rows shown, median ms', (side) => median(side.keystrokes), '< 100 ms'],
    ['Chromium: filter key press → rows shown, p95 ms', (side) => quantile(side.keystrokes, 0.95), '< 100 ms'],
  ];
  printTable(
    `Accounts pages: ${benchAccountsLabel} accounts, this build against LICORN_BENCH_PAGES_COMPARE, ${rounds} ` +
      `rounds alternated`,
    figures.map(([name, get, target]) => ({ name, ours: get(after), baseline: get(before), target })),
    { ours: 'after', baseline: 'before' },
  );
}
