// The accounts pages benchmark, with N accounts (LICORN_BENCH_ACCOUNTS, 10,000 by default;
// bench-accounts.ts): the server's response time for
// /accounts/ against /login/ (same run, same daemon), first rows and a filter keystroke in
// Chromium, and the delay from a `useradd` in a shell (its exit, its write of passwd, its
// locks' release) to the row shown in 1 and in 20 open pages (20 admins, each a browser
// context of its own; LICORN_BENCH_PAGES_ROUNDS rounds of 10 useradds), against the delay to a
// bare WebSocket client; and useradd's own duration with the daemon (and 1 page, then 20) against none.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { getCookieHeader, launchChromium, logIn } from './browser.ts';
import WebSocket from 'ws';
import { buildWebBundle } from '../web/build.ts';
import { buildServerBundle } from '../server/build.ts';
import { createDemoRoot } from '../server/core/demo/create-demo-root.ts';
import { AccountsService } from '../server/core/accounts/accounts-service.ts';
import { EventBus } from '../server/core/events/event-bus.ts';
import { testPasswords } from '../test/helpers/sandbox.ts';
import { getCpuMs, getMemory, startBenchDaemon } from './processes.ts';
import {
  benchAccounts,
  benchAccountsLabel,
  prepareBenchRoot,
  useWideRanges,
  checkBenchAccounts,
} from './bench-accounts.ts';
import { printTable } from './print-table.ts';
import {
  measureFirstRows,
  measureGets,
  measureKeystrokes,
  openAccounts,
  openAdminPages,
  watchFirstElement,
} from './pages-measures.ts';
import { describeRounds, median, quantile } from './statistics.ts';
import { readBenchCount } from './bench-settings.ts';
import { runPagesComparison } from './pages-compare.ts';
import { getPasswdWritten, runUseradd, watchForRow, watchLockReleases } from './useradd-timing.ts';

const run = promisify(execFile);

// Runs the benchmark and prints its table.
export async function runPagesBench(): Promise<void> {
  checkBenchAccounts();
  // Rounds of 10 useradds with 20 pages open (as pages-compare.ts's rounds).
  const rounds = readBenchCount('LICORN_BENCH_PAGES_ROUNDS', 3);
  useWideRanges();
  await buildWebBundle();
  await buildServerBundle();
  const dir = await mkdtemp(join(tmpdir(), 'licorn-pages-bench-'));
  const browser = await launchChromium();
  try {
    const root = join(dir, 'root');
    // Room for N accounts' IDs and subordinate IDs, so that useradd accepts more (bench-accounts.ts).
    await prepareBenchRoot(
      root,
      'pages',
      (demo) => createDemoRoot(demo, { passwords: testPasswords }),
      async (made) => {
        const service = await AccountsService.open({ root: made, events: new EventBus() });
        await service.createAccounts(
          Array.from({ length: benchAccounts }, (_, i) => ({
            login: `bulk${i}`,
            fullName: `Bulk Account ${i}`,
            groups: i % 3 === 0 ? ['developers'] : [],
            password: null,
            createHome: false,
          })),
        );
        await service.close();
      },
    );
    if (process.env.LICORN_BENCH_PAGES_COMPARE) {
      await runPagesComparison(browser, dir, root, process.env.LICORN_BENCH_PAGES_COMPARE);
      return;
    }
    // The same accounts with no daemon watching them: useradd's own duration there, in turn
    // with one in the daemon's root, tells whether the daemon slows useradd.
    const quietRoot = join(dir, 'quiet-root');
    await run('cp', ['-a', root, quietRoot]);
    const daemon = await startBenchDaemon(dir, root);
    const url = `https://127.0.0.1:${daemon.port}`;
    const pid = daemon.child.pid!;
    try {
      const startedMemory = await getMemory(pid);
      const page = await logIn(browser, url);
      const cookie = await getCookieHeader(page);

      // Server: /accounts/ (N accounts, first page of 100 rows) against /login/.
      const gets = await measureGets(daemon.port, pid, cookie);
      const [accountsTimes, loginTimes, rowsTimes] = [gets.accounts, gets.login, gets.rows];

      // Chromium: from navigation to the frame that shows the first row of /accounts/, against
      // the login form's first field on /login/.
      await page.addInitScript(watchFirstElement);
      const { rows: rowsShown, login: loginShown } = await measureFirstRows(browser, page, url);

      // Key presses in the filter: from each keydown to the frame showing the rows it asked for.
      await openAccounts(page);
      const keystrokes = await measureKeystrokes(page);

      // useradd in a shell → row shown, with one page open; the baseline is a bare
      // WebSocket subscribed to the same topic, which only receives the frame.
      const socket = new WebSocket(`wss://127.0.0.1:${daemon.port}/ws`, {
        headers: { cookie, origin: url },
        rejectUnauthorized: false,
      });
      await new Promise((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
      });
      socket.send(JSON.stringify({ subscribe: ['accounts'] }));
      const frameSeen = (login: string) =>
        new Promise<number>((resolve) => {
          const onMessage = (data: WebSocket.RawData) => {
            if (data.toString().includes(`id=\\"account-${login}\\"`)) {
              socket.off('message', onMessage);
              resolve(Date.now());
            }
          };
          socket.on('message', onMessage);
        });
      const onePage: number[] = [];
      const bare: number[] = [];
      const releases = watchLockReleases(root);
      const onePageReleased: number[] = [];
      const bareReleased: number[] = [];
      const onePageExited: number[] = [];
      const bareExited: number[] = [];
      const onePageCpuBefore = await getCpuMs(pid);
      const beforeUseradds = await getMemory(pid);
      // useradd's own duration with the daemon (and this one page) against the quiet root, in
      // turn (which goes first alternates): the daemon's own effect on useradd. With 20 pages
      // (below) the 20 renderers drawing on the same cores are in it too.
      const onePageDurations: number[] = [];
      const aloneDurations: number[] = [];
      const timeAlone = async (i: number) => {
        const { started, exited } = await runUseradd(quietRoot, `shell${i}`);
        aloneDurations.push(exited - started);
      };
      for (let i = 0; i < 40; i += 1) {
        const login = `shell${i}`;
        if (i % 2 === 1) await timeAlone(i);
        const shown = await watchForRow(page, `account-${login}`);
        const received = frameSeen(login);
        releases.reset();
        const { started, exited } = await runUseradd(root, login);
        onePageDurations.push(exited - started);
        const written = await getPasswdWritten(root);
        const painted = (await shown()).painted;
        const frame = await received;
        onePage.push(painted - written);
        bare.push(frame - written);
        onePageExited.push(painted - exited);
        bareExited.push(frame - exited);
        onePageReleased.push(painted - releases.lastRelease());
        bareReleased.push(frame - releases.lastRelease());
        if (i % 2 === 0) await timeAlone(i);
      }
      const onePageCpuMs = ((await getCpuMs(pid)) - onePageCpuBefore) / 40;

      // The same with 20 open admin pages, each an admin of its own (openAdminPages), in
      // `rounds` rounds of 10 useradds: each round's p95 over its 200 frames, the target decided
      // from their median (one round's p95 is its 10th slowest frame: one stall moves it).
      const pages = await openAdminPages(browser, url, 20);
      const twentyInserted: number[] = [];
      const twentyPainted: number[] = [];
      const slowestByUseradd: { painted: number; inserted: number }[] = [];
      const twentyReleased: number[] = [];
      const twentyExited: number[] = [];
      const roundP95s: number[] = [];
      let roundExited: number[] = [];
      // useradd's own duration (start → exit) in the daemon's root with the 20 pages open,
      // and in the quiet root, in turn (which goes first alternates; the daemon idle
      // before each, its rows shown).
      const watchedDurations: number[] = [];
      const quietDurations: number[] = [];
      const timeQuiet = async (i: number) => {
        const { started, exited } = await runUseradd(quietRoot, `crowd${i}`);
        quietDurations.push(exited - started);
      };
      let cpuQuiet = 0;
      const cpuBefore = await getCpuMs(pid);
      // Useradd 0 warms up (the 20 pages have just loaded); it is not counted.
      const useradds = rounds * 10;
      for (let i = 0; i <= useradds; i += 1) {
        const login = `crowd${i}`;
        if (i % 2 === 1) {
          const cpu = await getCpuMs(pid);
          await timeQuiet(i);
          cpuQuiet += (await getCpuMs(pid)) - cpu;
        }
        const shown = await Promise.all(pages.map((other) => watchForRow(other, `account-${login}`)));
        releases.reset();
        const { started, exited } = await runUseradd(root, login);
        const written = await getPasswdWritten(root);
        const times = await Promise.all(shown.map((wait) => wait()));
        if (i > 0 && i % 2 === 0) {
          const cpu = await getCpuMs(pid);
          await timeQuiet(i);
          cpuQuiet += (await getCpuMs(pid)) - cpu;
        }
        if (i === 0) continue;
        watchedDurations.push(exited - started);
        for (const time of times) {
          twentyInserted.push(time.inserted - written);
          twentyPainted.push(time.painted - written);
          twentyReleased.push(time.painted - releases.lastRelease());
          twentyExited.push(time.painted - exited);
          roundExited.push(time.painted - exited);
        }
        slowestByUseradd.push({
          painted: Math.max(...times.map((time) => time.painted - exited)),
          inserted: Math.max(...times.map((time) => time.inserted - written)),
        });
        if (i % 10 === 0) {
          roundP95s.push(quantile(roundExited, 0.95));
          roundExited = [];
        }
      }
      // The daemon's CPU for the useradds with 20 pages (10 ms ticks, idle time included).
      const twentyCpuMs = ((await getCpuMs(pid)) - cpuBefore - cpuQuiet) / (useradds + 1);
      releases.close();
      socket.close();
      const endMemory = await getMemory(pid);

      printTable(
        `Accounts pages: ${benchAccountsLabel} accounts`,
        [
          {
            name: 'GET /accounts/ (first 100 rows), median ms',
            ours: median(accountsTimes),
            baseline: median(loginTimes),
            target: '≤ 5× /login/',
          },
          {
            name: 'GET /accounts/-/rows?q=… (a filter), median ms',
            ours: median(rowsTimes),
            baseline: median(loginTimes),
            target: '—',
          },
          {
            name: 'Chromium: first row shown (navigation → its frame), median ms',
            ours: median(rowsShown),
            baseline: median(loginShown),
            target: '< 1000 ms',
          },
          {
            name: 'Chromium: filter key press → rows shown, median ms',
            ours: median(keystrokes),
            baseline: null,
            target: '< 100 ms',
          },
          {
            name: 'Chromium: filter key press → rows shown, p95 ms',
            ours: quantile(keystrokes, 0.95),
            baseline: null,
            target: '< 100 ms',
          },
          {
            name: "useradd's exit (the prompt back) → row painted in 1 page, p95 ms",
            ours: quantile(onePageExited, 0.95),
            baseline: quantile(bareExited, 0.95),
            target: '≤ 150 ms',
          },
          {
            name: `useradd's exit (the prompt back) → next frame in 20 pages, p95 ms, median of ${rounds} rounds`,
            ours: median(roundP95s),
            baseline: quantile(bareExited, 0.95),
            target: '≤ 150 ms',
          },
          {
            name: "useradd's own duration, daemon with 1 page / no daemon, median ms",
            ours: median(onePageDurations),
            baseline: median(aloneDurations),
            target: 'about 1×',
          },
          {
            name: "useradd's own duration, daemon with 20 pages / no daemon, median ms",
            ours: median(watchedDurations),
            baseline: median(quietDurations),
            target: '(20 renderers on these cores)',
          },
          {
            name: 'useradd (passwd written) → row painted in 1 page, p95 ms',
            ours: quantile(onePage, 0.95),
            baseline: quantile(bare, 0.95),
            target: "(useradd's tail in it)",
          },
          {
            name: 'useradd (passwd written) → row in the DOM of 20 pages, median ms',
            ours: median(twentyInserted),
            baseline: median(bare),
            target: '—',
          },
          {
            name: 'useradd (passwd written) → row in the DOM of 20 pages, p95 ms',
            ours: quantile(twentyInserted, 0.95),
            baseline: quantile(bare, 0.95),
            target: "(useradd's tail in it)",
          },
          {
            name: 'useradd (passwd written) → next frame in 20 pages, p95 ms',
            ours: quantile(twentyPainted, 0.95),
            baseline: quantile(bare, 0.95),
            target: '(see bench/README.md)',
          },
          {
            name: "useradd's locks released → row painted in 1 page, p95 ms",
            ours: quantile(onePageReleased, 0.95),
            baseline: quantile(bareReleased, 0.95),
            target: '(our share)',
          },
          {
            name: "useradd's locks released → next frame in 20 pages, p95 ms",
            ours: quantile(twentyReleased, 0.95),
            baseline: quantile(bareReleased, 0.95),
            target: '(our share)',
          },
          {
            name: 'daemon CPU per useradd, 20 pages open / 1 page, ms',
            ours: twentyCpuMs,
            baseline: onePageCpuMs,
            target: 'about 1×',
          },
          {
            name: 'daemon RSS at the end (20 pages open), MiB',
            ours: endMemory.rssMiB,
            baseline: startedMemory.rssMiB,
            target: '≤ 300 MiB',
          },
          {
            name: 'daemon peak RSS before the useradds (GETs, filters, key presses), MiB',
            ours: beforeUseradds.peakMiB,
            baseline: startedMemory.rssMiB,
            target: '≤ 300 MiB',
          },
          {
            name: 'daemon peak RSS (VmHWM), MiB',
            ours: endMemory.peakMiB,
            baseline: startedMemory.rssMiB,
            target: '≤ 300 MiB',
          },
        ],
        { ours: 'measured', baseline: 'baseline' },
      );
      process.stdout.write(
        "baselines: GET /login/ on the same daemon; Chromium showing /login/'s first field; a bare WebSocket " +
          "receiving the same push frame; the daemon's RSS once started\n",
      );
      // Each useradd's slowest page, in the target's terms (exit → painted) and from passwd
      // written to the row in the DOM (before the frame, which can come much later).
      const slowest = (key: 'painted' | 'inserted') => slowestByUseradd.map((time) => time[key].toFixed(0)).join(' ');
      process.stdout.write(
        `20 pages, exit → next frame, p95 of each round (ms): ${describeRounds(roundP95s)}, over all ` +
          `${twentyExited.length} frames ${quantile(twentyExited, 0.95).toFixed(1)}\n` +
          `20 pages, slowest page of each useradd, exit → next frame (ms): ${slowest('painted')}\n` +
          `20 pages, slowest page of each useradd, passwd written → row in the DOM (ms): ${slowest('inserted')}\n`,
      );
      process.stdout.write(
        `useradd's exit → row painted in 1 page, median ${median(onePageExited).toFixed(0)} ms ` +
          '(negative: shown before the exit); ' +
          `useradd's duration p95 ${quantile(watchedDurations, 0.95).toFixed(0)} ms with the daemon, ` +
          `${quantile(quietDurations, 0.95).toFixed(0)} without\n`,
      );
    } finally {
      await daemon.stop();
    }
  } finally {
    await browser.close();
    await rm(dir, { recursive: true, force: true });
  }
}
