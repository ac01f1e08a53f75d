// The accounts page's measures, shared by the pages bench and its comparison of two builds
// (pages-compare.ts): GETs over a kept-alive connection, the first row shown in Chromium, and
// key presses in the filter to the rows they asked for.
import { Agent, request } from 'node:https';
import type { Browser, Page } from 'playwright-core';
import { logIn } from './browser.ts';
import { getCpuMs } from './processes.ts';

// Milliseconds for one GET over a kept-alive connection, the body read to its end.
export function timeGet(port: number, path: string, cookie: string, agent: Agent): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const call = request(
      { host: '127.0.0.1', port, path, agent, rejectUnauthorized: false, headers: { cookie, accept: 'text/html' } },
      (response) => {
        if (response.statusCode !== 200) reject(new Error(`${path}: ${response.statusCode}`));
        response.resume();
        response.on('end', () => resolve(performance.now() - started));
      },
    );
    call.on('error', reject);
    call.end();
  });
}

// The GETs' times (ms): /accounts/ and /login/ in turn, `count` each after 10 of warm-up,
// then 30 filters through /accounts/-/rows; and the daemon's CPU time per /accounts/ (ms,
// /proc/PID/stat around 50 more, alone: ticks of 10 ms).
export async function measureGets(
  port: number,
  pid: number,
  cookie: string,
  count = 50,
): Promise<{ accounts: number[]; login: number[]; rows: number[]; accountsCpu: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let i = 0; i < 10; i += 1)
      await Promise.all([timeGet(port, '/accounts/', cookie, agent), timeGet(port, '/login/', '', agent)]);
    const accounts: number[] = [];
    const login: number[] = [];
    for (let i = 0; i < count; i += 1) {
      login.push(await timeGet(port, '/login/', '', agent));
      accounts.push(await timeGet(port, '/accounts/', cookie, agent));
    }
    const rows: number[] = [];
    for (let i = 0; i < 30; i += 1) rows.push(await timeGet(port, `/accounts/-/rows?q=bulk${i}`, cookie, agent));
    const cpuBefore = await getCpuMs(pid);
    for (let i = 0; i < 50; i += 1) await timeGet(port, '/accounts/', cookie, agent);
    const accountsCpu = ((await getCpuMs(pid)) - cpuBefore) / 50;
    return { accounts, login, rows, accountsCpu };
  } finally {
    agent.destroy();
  }
}

// Run in a page before its own scripts: from the start, each frame looks for the first row
// of the accounts table and the login form's first field, and notes when (since navigation)
// the first frame that shows each began: one in the document with a box. Then
// window.firstShown(selector) resolves with it. Plain text: tsx would add a helper to a function.
export const watchFirstElement = `
  const shown = {};
  const selectors = ['#account-rows tr', '#login'];
  const look = () => {
    for (const selector of selectors) {
      const element = shown[selector] === undefined && document.querySelector(selector);
      if (element && element.getBoundingClientRect().height > 0) shown[selector] = performance.now();
    }
    if (performance.now() < 20000) requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
  window.firstShown = (selector) => new Promise((resolve) => {
    const wait = () => (shown[selector] === undefined ? requestAnimationFrame(wait) : resolve(shown[selector]));
    wait();
  });
`;

// From navigation to the frame that shows the first row of /accounts/ (a row element in the
// document with a box), against the login form's first field on /login/, `count` times each
// (ms). `page` is logged in and has watchFirstElement added.
export async function measureFirstRows(
  browser: Browser,
  page: Page,
  url: string,
  count = 5,
): Promise<{ rows: number[]; login: number[] }> {
  const rows: number[] = [];
  const login: number[] = [];
  const anonymous = await browser.newPage({ ignoreHTTPSErrors: true });
  await anonymous.addInitScript(watchFirstElement);
  for (let i = 0; i < count; i += 1) {
    await page.goto(`${url}/accounts/`);
    rows.push((await page.evaluate('window.firstShown("#account-rows tr")')) as number);
    await anonymous.goto(`${url}/login/`);
    login.push((await anonymous.evaluate('window.firstShown("#login")')) as number);
  }
  await anonymous.close();
  return { rows, login };
}

// Opens /accounts/ and waits for its push channel.
export async function openAccounts(page: Page): Promise<void> {
  await page.goto('/accounts/');
  // Two minutes: 20 pages of 50,000 accounts on a loaded machine missed Playwright's 30 s.
  await page.locator('#connection-state[data-state="live"]').waitFor({ timeout: 120_000 });
}

// Opens `count` accounts pages, each one admin's: a browser context of its own (its own
// session and window), as each admin's page is the front page of their own browser. Tabs of
// one context were a bench artefact: a tab that is not the window's active one is not drawn,
// so viz gives it one BeginFrame a second (a row's frame waited up to 1 s), and its main
// thread runs at nice 5 (bench/README.md, seventeenth session).
export async function openAdminPages(browser: Browser, url: string, count: number): Promise<Page[]> {
  const pages: Page[] = [];
  for (let i = 0; i < count; i += 1) {
    const page = await logIn(browser, url);
    await openAccounts(page);
    pages.push(page);
  }
  return pages;
}

// The keys the bench types in the filter: `bulk123`, erased, `dev`, erased.
export const filterKeys = [
  ...'bulk123',
  ...Array<string>(7).fill('Backspace'),
  ...'dev',
  ...Array<string>(3).fill('Backspace'),
];

// One key press in the filter (Playwright's keyboard: keydown, input, keyup as a person types),
// from its keydown to the frame showing the rows it asked for (ms). The filter has the focus.
export async function timeKeyPress(page: Page, key: string): Promise<number> {
  await page.evaluate(() => {
    const body = document.getElementById('account-rows')!;
    (window as unknown as { keyToRows: Promise<number> }).keyToRows = new Promise<number>((resolve) => {
      let pressed = 0;
      document.addEventListener(
        'keydown',
        (event) => {
          pressed = event.timeStamp;
        },
        { once: true, capture: true },
      );
      const observer = new MutationObserver(() => {
        observer.disconnect();
        requestAnimationFrame(() => resolve(performance.now() - pressed));
      });
      observer.observe(body, { childList: true });
    });
  });
  await page.keyboard.press(key);
  return (await page.evaluate('window.keyToRows')) as number;
}

// Every key of filterKeys in turn, in a page open on /accounts/ (ms each).
export async function measureKeystrokes(page: Page): Promise<number[]> {
  await page.locator('#accounts-filter-text').focus();
  const keystrokes: number[] = [];
  for (const key of filterKeys) keystrokes.push(await timeKeyPress(page, key));
  return keystrokes;
}
