// LICORN_BENCH_PAGES_COMPARE=path/to/dist/server/main.js: the pages bench's GETs, first rows
// and key presses by another build of the daemon (a checkout before a change, with its own
// dist/web) and by this one, over copies of the same root, alternated round by round (which
// goes first alternates too), so that both meet the same load of a shared machine.
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { getCookieHeader, logIn } from './browser.ts';
import { benchAccountsLabel } from './bench-accounts.ts';
import { printTable } from './print-table.ts';
import { type ServerProcess, startBenchDaemon, startServer } from './processes.ts';
import {
  measureFirstRows,
  measureGets,
  measureKeystrokes,
  median,
  openAccounts,
  quantile,
  watchFirstElement,
} from './pages-measures.ts';

const run = promisify(execFile);
const rounds = Number(process.env.LICORN_BENCH_PAGES_ROUNDS ?? 3);

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
  const copy = join(dir, 'root');
  await run('cp', ['-a', root, copy]);
  let daemon: ServerProcess;
  if (script) {
    // As startBenchDaemon starts this build's.
    await writeFile(join(dir, 'licorn.conf'), 'log.level = "warn"\n');
    const flags = ['--config', join(dir, 'licorn.conf'), '--root', copy, '--tls-dir', join(dir, 'certs')];
    daemon = await startServer(script, [...flags, '--port', '0']);
  } else daemon = await startBenchDaemon(dir, copy);
  const url = `https://127.0.0.1:${daemon.port}`;
  const page = await logIn(browser, url);
  await page.addInitScript(watchFirstElement);
  const cookie = await getCookieHeader(page);
  const empty = { accounts: [], login: [], rows: [], accountsCpu: [], firstRows: [], firstLogin: [], keystrokes: [] };
  return { daemon, page, cookie, url, ...empty };
}

// One round of every measure on one side.
async function measureSide(browser: Browser, side: Side): Promise<void> {
  const gets = await measureGets(side.daemon.port, side.daemon.child.pid!, side.cookie);
  side.accounts.push(...gets.accounts);
  side.login.push(...gets.login);
  side.rows.push(...gets.rows);
  side.accountsCpu.push(gets.accountsCpu);
  const first = await measureFirstRows(browser, side.page, side.url);
  side.firstRows.push(...first.rows);
  side.firstLogin.push(...first.login);
  await openAccounts(side.page);
  side.keystrokes.push(...(await measureKeystrokes(side.page)));
}

// Runs both builds in turn and prints the after/before table.
export async function runPagesComparison(browser: Browser, dir: string, root: string, script: string): Promise<void> {
  const before = await startSide(browser, join(dir, 'before'), root, script);
  const after = await startSide(browser, join(dir, 'after'), root, null);
  try {
    for (let round = 0; round < rounds; round += 1) {
      const order = round % 2 === 0 ? [before, after] : [after, before];
      for (const side of order) await measureSide(browser, side);
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
    `Accounts pages: ${benchAccountsLabel} accounts, this build against LICORN_BENCH_PAGES_COMPARE, ${rounds} rounds alternated`,
    figures.map(([name, get, target]) => ({ name, ours: get(after), baseline: get(before), target })),
    { ours: 'after', baseline: 'before' },
  );
}
