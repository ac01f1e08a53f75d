// The status benchmark: the daemon's CPU for sampling and pushing at 1 Hz to 20 followers
// against the same daemon idle (alternated windows, in rounds); 1,000 WebSocket clients
// following the Status page's topic for a soak (5 minutes by default): every client gets every
// sample, the daemon's CPU, its RSS growth, its RSS peak when they all come back at once (in
// rounds: storm after storm in that daemon, then once in each of fresh daemons); then, in
// Chromium, one tick's redraw of the whole Status page with that history, and with a full 10
// minutes of its samples replayed (status-followers.ts has the followers).
// LICORN_BENCH_SOAK_SECONDS (300) sets the soak, LICORN_BENCH_TRACE_SECONDS (30) each trace;
// LICORN_BENCH_STATUS_COMPARE=path/to/dist/server/main.js then traces another build's page in
// turn with this one's (status-compare.ts).
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWebBundle } from '../web/build.ts';
import { buildServerBundle } from '../server/build.ts';
import { createDemoRoot } from '../server/core/demo/create-demo-root.ts';
import { testPasswords } from '../test/helpers/sandbox.ts';
import type { Page } from 'playwright-core';
import type { StatusSample } from '../server/core/status/status-monitor.ts';
import { getCookieHeader, launchChromium, logIn } from './browser.ts';
import { getMemory, startBenchDaemon, startDaemonOnRootCopy } from './processes.ts';
import { printTable, type BenchRow } from './print-table.ts';
import { measurePageCost, type PageCost } from './page-cost.ts';
import { startReplayDaemon } from './status-replay.ts';
import { runStatusComparison } from './status-compare.ts';
import { describeSpread, median, quantile } from './statistics.ts';
import { connectRetries, followInBatches, measureCpu, measureTwentyFollowers } from './status-followers.ts';
import { runFreshStorms, runStorms, type StormDaemon } from './status-followers.ts';
import { readBenchCount } from './bench-settings.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// One tick's redraw of a Status page, in ms, for `count` ticks after `warmUp` (the page writes
// each redraw's cost in document.body.dataset.redrawMs). The page notes them itself and is
// read once at the end: polling it every frame (waitForFunction's default) ran script and made
// garbage in the page being measured. 40 ticks, so that the p95 is not simply the worst.
async function measureRedraws(page: Page, warmUp = 5, count = 40): Promise<number[]> {
  await page.evaluate(`(() => {
    window.redraws = [];
    new MutationObserver(() => window.redraws.push(Number(document.body.dataset.redrawMs)))
      .observe(document.body, { attributes: true, attributeFilter: ['data-redraw-ms'] });
  })()`);
  await page.waitForFunction(
    (total) => (window as unknown as { redraws: number[] }).redraws.length >= total,
    warmUp + count,
    { polling: 1000, timeout: (warmUp + count) * 3000 },
  );
  return ((await page.evaluate('window.redraws')) as number[]).slice(warmUp, warmUp + count);
}

// Writes a figure as soon as it is measured (a later part may fail on a loaded machine).
function note(name: string, figures: object): void {
  const rounded = JSON.stringify(figures, (_key, value) =>
    typeof value === 'number' ? Number(value.toFixed(2)) : value,
  );
  process.stdout.write(`${name}: ${rounded}\n`);
}

// The rows of a page's cost against an idle page's: main-thread time per tick (the daemon
// samples once a second) in all and by kind, raster, and the renderer's CPU share.
function getCostRows(name: string, cost: PageCost, idle: PageCost): BenchRow[] {
  return [
    {
      name: `Chromium, ${name}: main thread, ms per tick`,
      ours: cost.mainMsPerSecond,
      baseline: idle.mainMsPerSecond,
      target: '≤ 8',
    },
    ...Object.entries(cost.byKind).map(([kind, ms]) => ({
      name: `  of which ${kind}`,
      ours: ms,
      baseline: idle.byKind[kind as keyof PageCost['byKind']],
      target: '',
    })),
    {
      name: `Chromium, ${name}: raster threads, ms per tick`,
      ours: cost.rasterMsPerSecond,
      baseline: idle.rasterMsPerSecond,
      target: '',
    },
    {
      name: `Chromium, ${name}: renderer CPU, % of a core`,
      ours: cost.rendererCpu,
      baseline: idle.rendererCpu,
      target: '≤ 3',
    },
    { name: `Chromium, ${name}: GPU process CPU, % of a core`, ours: cost.gpuCpu, baseline: idle.gpuCpu, target: '' },
  ];
}

// Runs the benchmark and prints its table.
export async function runStatusBench(): Promise<void> {
  const soakSeconds = readBenchCount('LICORN_BENCH_SOAK_SECONDS', 300);
  await buildWebBundle();
  await buildServerBundle();
  const dir = await mkdtemp(join(tmpdir(), 'licorn-status-bench-'));
  const browser = await launchChromium();
  try {
    const root = join(dir, 'root');
    await createDemoRoot(root, { passwords: testPasswords });
    // 1,000 followers stand for 1,000 browsers, here from one session and one address.
    const followersArgs = ['--push-max-sockets-per-session', '1100', '--push-max-sockets-per-address', '1100'];
    const daemon = await startBenchDaemon(dir, root, { args: followersArgs });
    // A daemon of its own for each fresh storm, on a copy of the demo root, logged in.
    let freshDaemons = 0;
    const startStormDaemon = async (): Promise<StormDaemon> => {
      const stormDir = join(dir, `storm-${(freshDaemons += 1)}`);
      await mkdir(stormDir);
      const started = await startDaemonOnRootCopy(stormDir, root, { args: followersArgs });
      const stormPage = await logIn(browser, `https://127.0.0.1:${started.port}`);
      const stormCookie = await getCookieHeader(stormPage);
      await stormPage.context().close();
      return { pid: started.child.pid!, port: started.port, cookie: stormCookie, stop: started.stop };
    };
    const pid = daemon.child.pid!;
    try {
      const page = await logIn(browser, `https://127.0.0.1:${daemon.port}`);
      const cookie = await getCookieHeader(page);
      await page.goto('/me/');

      // Idle, then 20 followers, in rounds.
      const { idle: idles, twenty } = await measureTwentyFollowers(pid, daemon.port, cookie);
      const overIdle = twenty.map((cpu, round) => cpu - idles[round]!);
      note('20 followers: daemon CPU per round, idle / with 20, %', { idles, twenty });
      const idle = median(idles);
      await sleep(1000);

      // 1,000 followers for the soak; the daemon's peak RSS (VmHWM) before them and after.
      const rssBefore = await getMemory(pid);
      const clients = await followInBatches(daemon.port, cookie, 1000);
      await sleep(5000);
      const soakStart = Date.now();
      const rssStart = (await getMemory(pid)).rssMiB;
      const soakCpu = await measureCpu(pid, soakSeconds);
      const rssEnd = (await getMemory(pid)).rssMiB;
      // The soak's samples are the ones taken until now (a sample taken later reaches no
      // follower of the soak's, gone below); those on their way get 1.5 s to arrive.
      const soakEnd = Date.now();
      await sleep(1500);
      // They all go and come back at once (a restart, a network blip) with the soak's history,
      // then again in later rounds.
      const storms = await runStorms(pid, daemon.port, cookie, clients);
      const stormPeaks = storms.map((storm) => storm.peakMiB);
      note('storms: RSS peak MiB, retries, fewest samples back in 5 s', storms);
      note('connections cut in their TLS handshake, then tried again', { retried: connectRetries.count });
      // Every sample the server took during the soak (its own history), against the ones each
      // client got.
      const history = (await (await page.request.get('/api/v1/status/history?range=10m&metric=cpu.user')).json()) as {
        samples: { time: number }[];
      };
      const ticks = new Set(
        history.samples.map((sample) => sample.time).filter((time) => time > soakStart && time <= soakEnd),
      );
      const received = clients.map((client) => client.times.filter((time) => ticks.has(time)).length);
      // The same storm, each time in a fresh daemon whose 1,000 followers have settled: the
      // rounds above each start from what the storm before left committed in V8's heap.
      const freshStorms = await runFreshStorms(startStormDaemon);
      const freshPeaks = freshStorms.map((storm) => storm.peakMiB);
      note('storms in fresh daemons: RSS peak MiB, retries, fewest samples back in 5 s', freshStorms);
      await sleep(1000);

      // One tick's redraw of the Status page, with the history the soak left.
      await page.goto('/status/');
      await page.locator('#connection-state[data-state="live"]').waitFor();
      const redraws = await measureRedraws(page);
      const traceSeconds = readBenchCount('LICORN_BENCH_TRACE_SECONDS', 30);
      const soakCost = await measurePageCost(browser, page, traceSeconds);
      note("Status page, the soak's history", soakCost);
      const samples = (
        (await (await page.request.get('/api/v1/status/history?range=10m')).json()) as { samples: StatusSample[] }
      ).samples;

      // The same with a full 10 minutes: a second daemon that starts with 600 of the soak's
      // samples as its saved history (status.history_file), then samples live, over a real
      // WebSocket. (Playwright's routeWebSocket replayed them before: its relay ran in the
      // page's main thread, some 5 ms a tick of the page's figure that no person's page pays.)
      // The first page leaves the Status page, so that it does not draw in the same renderer.
      await page.goto('/me/');
      await sleep(2000);
      const idleCost = await measurePageCost(browser, page, traceSeconds);
      note('idle page', idleCost);
      let fullFigures: { redraws: number[]; cost: PageCost } | undefined;
      const replay = await startReplayDaemon(join(dir, 'replay'), samples);
      try {
        const fullPage = await logIn(browser, `https://127.0.0.1:${replay.port}`);
        await fullPage.goto('/status/');
        await fullPage.locator('#connection-state[data-state="live"]').waitFor();
        const fullRedraws = await measureRedraws(fullPage);
        const fullCost = await measurePageCost(browser, fullPage, traceSeconds);
        await fullPage.context().close();
        note('Status page, 600 samples replayed', fullCost);
        fullFigures = { redraws: fullRedraws, cost: fullCost };
      } finally {
        await replay.stop();
      }
      const { redraws: fullRedraws, cost: fullCost } = fullFigures!;

      printTable(
        'Status: sampling and pushing at 1 Hz',
        [
          {
            name: `20 followers: daemon CPU over idle, % of a core, median of ${overIdle.length} rounds`,
            ours: median(overIdle),
            // A difference has no meaningful ratio: the idle median is printed with the spread.
            baseline: null,
            target: `≤ 1 ${describeSpread(overIdle)}, idle ${idle.toFixed(2)}`,
          },
          {
            name: `1,000 followers for ${soakSeconds} s: daemon CPU, % of a core`,
            ours: soakCpu,
            baseline: idle,
            target: '< 10',
          },
          {
            name: "1,000 followers: samples per client, fewest (vs the server's ticks)",
            ours: Math.min(...received),
            baseline: ticks.size,
            target: 'every sample: 1.00',
          },
          {
            name: '1,000 followers: RSS growth over the soak, MiB',
            ours: rssEnd - rssStart,
            baseline: rssStart,
            target: 'none',
          },
          {
            name: `1,000 settled in a fresh daemon, all back at once: RSS peak, MiB, median of ${freshPeaks.length}`,
            ours: median(freshPeaks),
            baseline: null,
            target: `≤ 150 ${describeSpread(freshPeaks)}`,
          },
          {
            name: `the same, storm after storm in the soak's daemon: RSS peak, MiB, median of ${storms.length}`,
            ours: median(stormPeaks),
            baseline: rssBefore.peakMiB,
            target: `≤ 150 ${describeSpread(stormPeaks)}`,
          },
          {
            name: '1,000 back at once: samples per client in the 5 s after, fewest of every storm',
            ours: Math.min(...[...storms, ...freshStorms].map((storm) => storm.fewestSamples)),
            baseline: null,
            target: '≥ 4 (every tick)',
          },
          ...getCostRows("Status page, the soak's history", soakCost, idleCost),
          ...getCostRows('Status page, 600 samples replayed', fullCost, idleCost),
          {
            name: `Chromium: one tick's redraw, median ms (${samples.length} samples)`,
            ours: quantile(redraws, 0.5),
            baseline: null,
            target: '< 8 ms',
          },
          {
            name: "Chromium: one tick's redraw, p95 ms",
            ours: quantile(redraws, 0.95),
            baseline: null,
            target: '< 8 ms',
          },
          {
            name: "Chromium: one tick's redraw, 600 samples replayed, median ms",
            ours: quantile(fullRedraws, 0.5),
            baseline: null,
            target: '< 8 ms',
          },
          {
            name: "Chromium: one tick's redraw, 600 samples replayed, p95 ms",
            ours: quantile(fullRedraws, 0.95),
            baseline: null,
            target: '< 8 ms',
          },
        ],
        { ours: 'measured', baseline: 'baseline' },
      );
      process.stdout.write(
        `baselines: the same daemon idle (CPU, median of its windows), the samples the server took in the ` +
          `${soakSeconds} s of soak, RSS at the soak's start\n`,
      );
      process.stdout.write(
        `baselines of the page rows: /me/ open in the same browser (idle); the daemon's peak before the 1,000\n`,
      );
      process.stdout.write(`redraws, each tick (ms): ${redraws.join(' ')}; 600 replayed: ${fullRedraws.join(' ')}\n`);
      const compareScript = process.env.LICORN_BENCH_STATUS_COMPARE;
      if (compareScript) await runStatusComparison(browser, join(dir, 'compare'), samples, compareScript);
    } finally {
      await daemon.stop();
    }
  } finally {
    await browser.close();
    await rm(dir, { recursive: true, force: true });
  }
}
