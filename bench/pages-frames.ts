// What a pushed row's frame costs the open accounts pages: `node --import tsx
// bench/pages-frames.ts ROOT [pages] [useradds] [dist/server/main.js]` starts licornd (this
// build, or the given one) over a copy of ROOT (a pages bench root: LICORN_BENCH_ROOT_CACHE's
// `pages-100000`), opens `pages` (20) accounts pages in one Chromium (each an admin's: a
// context of its own, openAdminPages), and runs `useradds` (8) useradds after one of
// warm-up. It prints useradd's exit → row painted over every page, the
// Chromium processes' CPU per useradd by thread, and the first page's main thread per frame,
// phase by phase, from a trace of the useradds after the first two. LICORN_BENCH_FRAMES_CSS
// adds a style sheet to every page (a trial of a CSS change without a build).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from './browser.ts';
import { useWideRanges } from './bench-accounts.ts';
import { getChromiumPids, getThreadCpuMs } from './chromium-threads.ts';
import { type Phases, phaseNames, startFrameTrace, stopFrameTrace } from './frame-phases.ts';
import { openAdminPages } from './pages-measures.ts';
import { startDaemonOnRootCopy } from './processes.ts';
import { median, quantile } from './statistics.ts';
import { runUseradd, watchForRow } from './useradd-timing.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const [root, pageCount = '20', useradds = '8', script] = process.argv.slice(2);
if (!root) throw new Error('usage: pages-frames.ts ROOT [pages] [useradds] [dist/server/main.js]');
useWideRanges();

// Adds `css` to the page as a constructed style sheet (the pages' CSP refuses inline styles).
async function addStyle(page: Page, css: string): Promise<void> {
  await page.evaluate((text) => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(text);
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  }, css);
}

const dir = await mkdtemp(join(tmpdir(), 'licorn-pages-frames-'));
const copy = join(dir, 'root');
const daemon = await startDaemonOnRootCopy(dir, root, script ? { script } : {});
const browser = await launchChromium();
try {
  const pages = await openAdminPages(browser, `https://127.0.0.1:${daemon.port}`, Number(pageCount));
  const css = process.env.LICORN_BENCH_FRAMES_CSS;
  if (css) for (const page of pages) await addStyle(page, css);
  await sleep(2000);
  const pids = await getChromiumPids();
  const exitToPainted: number[] = [];
  const threads = new Map<string, number>();
  let phases: Phases | undefined;
  for (let round = 0; round <= Number(useradds); round += 1) {
    const login = `frames${process.pid}x${round}`;
    if (round === 2) await startFrameTrace(browser, pages[0]!);
    const shown = await Promise.all(pages.map((page) => watchForRow(page, `account-${login}`)));
    const before = await getThreadCpuMs(pids);
    const { exited } = await runUseradd(copy, login);
    const times = await Promise.all(shown.map((wait) => wait()));
    // The frames' raster and display run after the main thread's part.
    await sleep(300);
    const after = await getThreadCpuMs(pids);
    if (round > 0) {
      for (const time of times) exitToPainted.push(time.painted - exited);
      for (const [name, ms] of after) threads.set(name, (threads.get(name) ?? 0) + ms - (before.get(name) ?? 0));
    }
    if (round === Number(useradds)) phases = await stopFrameTrace(browser);
    await sleep(700);
  }
  const per = (ms: number) => (ms / Number(useradds)).toFixed(0);
  const total = [...threads.values()].reduce((sum, ms) => sum + ms, 0);
  process.stdout.write(
    `${pageCount} pages, ${useradds} useradds: exit → row painted, median ${median(exitToPainted).toFixed(1)} ms, ` +
      `p95 ${quantile(exitToPainted, 0.95).toFixed(1)} ms\n` +
      `Chromium CPU per useradd ${per(total)} ms (10 ms ticks): ` +
      [...threads]
        .filter(([, ms]) => ms > 0)
        .sort((a, b) => b[1] - a[1])
        .map(([name, ms]) => `${name} ${per(ms)}`)
        .join(', ') +
      '\n',
  );
  const frames = Math.max(1, phases!.frames);
  process.stdout.write(
    `first page, per frame (${phases!.frames} frames, ${phases!.layoutObjects} layout objects), thread ms: ` +
      Object.keys(phaseNames)
        .map((key) => `${key} ${(phases![key as keyof typeof phaseNames] / frames).toFixed(2)}`)
        .join(', ') +
      '\n',
  );
} finally {
  await browser.close();
  await daemon.stop();
  await rm(dir, { recursive: true, force: true });
}
