// LICORN_BENCH_STATUS_COMPARE=path/to/dist/server/main.js: the Status page with 600 samples
// drawn by another build (a checkout before a change, with its own dist/web) and by this one,
// traced in turn (which goes first alternates), so that both meet the same load of a shared
// machine; LICORN_BENCH_STATUS_ROUNDS rounds (4) of LICORN_BENCH_TRACE_SECONDS each (30).
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { StatusSample } from '../server/core/status/status-monitor.ts';
import { logIn } from './browser.ts';
import { measurePageCost, type PageCost } from './page-cost.ts';
import { printTable } from './print-table.ts';
import { startReplayDaemon } from './status-replay.ts';
import { median } from './statistics.ts';
import { readBenchCount } from './bench-settings.ts';

const format = (values: number[]) => values.map((value) => value.toFixed(2)).join(' ');

// One trace of a fresh Status page on the daemon at `url` (a context of its own, closed after).
async function traceStatusPage(browser: Browser, url: string, seconds: number): Promise<PageCost> {
  const page = await logIn(browser, url);
  try {
    await page.goto('/status/');
    await page.locator('#connection-state[data-state="live"]').waitFor();
    // The first ticks after the history (the whole paths drawn once, the JIT warming up).
    await new Promise((resolve) => setTimeout(resolve, 5000));
    return await measurePageCost(browser, page, seconds);
  } finally {
    await page.context().close();
  }
}

// Runs both builds in turn over 600 samples of `samples` and prints the after/before table.
export async function runStatusComparison(
  browser: Browser,
  dir: string,
  samples: StatusSample[],
  script: string,
): Promise<void> {
  const rounds = readBenchCount('LICORN_BENCH_STATUS_ROUNDS', 4);
  const seconds = readBenchCount('LICORN_BENCH_TRACE_SECONDS', 30);
  const before = await startReplayDaemon(join(dir, 'compare-before'), samples, script);
  const after = await startReplayDaemon(join(dir, 'compare-after'), samples);
  const costs: { before: PageCost[]; after: PageCost[] } = { before: [], after: [] };
  try {
    for (let round = 0; round < rounds; round += 1) {
      for (const side of round % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const)) {
        const daemon = side === 'before' ? before : after;
        costs[side].push(await traceStatusPage(browser, `https://127.0.0.1:${daemon.port}`, seconds));
      }
      process.stdout.write(
        `round ${round + 1}: main thread ms per tick before ${costs.before.at(-1)!.mainMsPerSecond.toFixed(2)}, ` +
          `after ${costs.after.at(-1)!.mainMsPerSecond.toFixed(2)}\n`,
      );
    }
  } finally {
    await Promise.all([before.stop(), after.stop()]);
  }
  const figures: [string, (cost: PageCost) => number, string][] = [
    ['main thread, ms per tick', (cost) => cost.mainMsPerSecond, '≤ 8'],
    ...(['script', 'style', 'layout', 'paint', 'other'] as const).map(
      (kind): [string, (cost: PageCost) => number, string] => [`  of which ${kind}`, (cost) => cost.byKind[kind], ''],
    ),
    ['raster threads, ms per tick', (cost) => cost.rasterMsPerSecond, ''],
    ['renderer CPU, % of a core', (cost) => cost.rendererCpu, '≤ 3'],
  ];
  printTable(
    `Status page, 600 samples: this build against LICORN_BENCH_STATUS_COMPARE, ${rounds} rounds of ` +
      `${seconds} s alternated (medians)`,
    figures.map(([name, get, target]) => ({
      name: `Chromium: ${name}`,
      ours: median(costs.after.map(get)),
      baseline: median(costs.before.map(get)),
      target,
    })),
    { ours: 'after', baseline: 'before' },
  );
  for (const side of ['before', 'after'] as const)
    process.stdout.write(
      `${side}, main thread ms per tick by round: ${format(costs[side].map((cost) => cost.mainMsPerSecond))}\n`,
    );
}
