// The accounts benchmark: bulk creation against a useradd --prefix loop (the baseline, in
// the same run), a single create with N accounts present (LICORN_BENCH_ACCOUNTS, 10,000 by
// default; bench-accounts.ts) and N homes (an empty directory each, owned by its account, as
// a real machine has them: a create looks at who owns them; LICORN_BENCH_HOMES=none leaves
// them out, as the figures before the thirteenth session), and the delay from an outside
// useradd's exit (and its locks' release, and its write of passwd) to the emitted event; then
// the same bulk create as an admin meets it, through the CSV import route (import-bench.ts).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createDemoRoot } from '../server/core/demo/create-demo-root.ts';
import { AccountsService } from '../server/core/accounts/accounts-service.ts';
import { EventBus } from '../server/core/events/event-bus.ts';
import { printTable } from './print-table.ts';
import { runImportBench } from './import-bench.ts';
import { benchAccounts, benchAccountsLabel, useWideRanges, widenRoot, checkBenchAccounts } from './bench-accounts.ts';
import { makeHomes, timeSingleCreates } from './single-creates.ts';
import { quantile } from './statistics.ts';
import { getPasswdWritten, runUseradd, watchLockReleases } from './useradd-timing.ts';

const run = promisify(execFile);
// Wall-clock milliseconds, on useradd-timing.ts's clock.
const wallNow = () => performance.timeOrigin + performance.now();
const withHomes = process.env.LICORN_BENCH_HOMES !== 'none';

// Runs the accounts benchmark and prints its table.
export async function runAccountsBench(): Promise<void> {
  checkBenchAccounts();
  useWideRanges();
  const count = benchAccounts;
  const dir = await mkdtemp(join(tmpdir(), 'licorn-accounts-bench-'));
  try {
    // Baseline: 100 useradd --prefix on a fresh demo (40 accounts), scaled to N. Its
    // cost per account grows with the files, so this is kind to useradd.
    const loopRoot = join(dir, 'loop');
    await createDemoRoot(loopRoot);
    let started = performance.now();
    for (let i = 0; i < 100; i += 1) await run('useradd', ['--prefix', loopRoot, '-M', `loop${i}`]);
    const loopForAll = ((performance.now() - started) * count) / 100;

    const root = join(dir, 'bulk');
    await createDemoRoot(root);
    // Debian's subordinate id space (SUB_UID_MAX 600100000, 65,536 each) holds 9,155
    // accounts; a site with more widens it (bench-accounts.ts). With room, every create below
    // writes subuid and subgid too: the dearer case, and the one useradd meets.
    await widenRoot(root);
    const events = new EventBus();
    const service = await AccountsService.open({ root, events });
    started = performance.now();
    await service.createAccounts(
      Array.from({ length: count }, (_, i) => ({
        login: `bulk${i}`,
        fullName: `Bulk Account ${i}`,
        password: null,
        createHome: false,
      })),
    );
    const bulk = performance.now() - started;
    const rss = () => process.memoryUsage().rss / 2 ** 20;
    const rssAfterBulk = rss();

    // Made outside (as by an admin's restore); the first create after reads them all once.
    if (withHomes) await makeHomes(root);
    await timeSingleCreates(service, 'first', 1);
    const { wall: singles, cpu: singlesCpu } = await timeSingleCreates(service, 'single', 30);
    const withPassword: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      started = performance.now();
      await service.createAccount({ login: `hashed${i}`, password: 'Bench-pass-123', createHome: false });
      withPassword.push(performance.now() - started);
    }

    // An outside useradd, 30 times: from its exit (the prompt back: what the admin waits on;
    // the target since the seventeenth session, as the pages bench's since the thirteenth),
    // from its locks' release (our share: the files are whole only then) and from its write
    // of passwd (its mtime; useradd goes on writing shadow, group, subuid and subgid for tens
    // of milliseconds at 10,000 accounts, seconds at 100,000: useradd's work, not ours).
    const fromPasswd: number[] = [];
    const fromRelease: number[] = [];
    const afterExit: number[] = [];
    const locks = watchLockReleases(root);
    for (let i = 0; i < 30; i += 1) {
      const login = `outside${i}`;
      const seen = new Promise<number>((resolve) => {
        const stop = events.on('account-added', ({ data }) => {
          if (data.login === login) {
            stop();
            resolve(wallNow());
          }
        });
      });
      locks.reset();
      const { exited } = await runUseradd(root, login);
      const written = await getPasswdWritten(root);
      const at = await seen;
      fromPasswd.push(at - written);
      fromRelease.push(at - locks.lastRelease());
      afterExit.push(at - exited);
    }
    locks.close();
    const rssAtEnd = rss();
    await service.close();
    // The figures count only if the ranges were really written.
    const subuid = await readFile(join(root, 'etc/subuid'), 'utf8');
    for (const login of [`bulk${count - 1}`, 'single29', 'hashed9', 'outside29']) {
      if (!subuid.includes(`\n${login}:`)) throw new Error(`bench: ${login} got no subordinate ids`);
    }

    const present = withHomes ? `${benchAccountsLabel} accounts and homes` : benchAccountsLabel;
    printTable(
      `Accounts: ${benchAccountsLabel} accounts (created without homes, no password, like useradd without -p)`,
      [
        {
          name: `create ${benchAccountsLabel} in one bulk call, ms`,
          ours: bulk,
          baseline: loopForAll,
          target: '< 3000 ms, ≥ 400× faster',
        },
        {
          name: `single create with ${present} present (+ subuid/subgid), median ms`,
          ours: quantile(singles, 0.5),
          baseline: loopForAll / count,
          target: '< 20 ms',
        },
        {
          name: `single create with ${present} present, p95 ms`,
          ours: quantile(singles, 0.95),
          baseline: null,
          target: '< 20 ms',
        },
        {
          name: 'the same, CPU time (the process, threads included), median ms',
          ours: quantile(singlesCpu, 0.5),
          baseline: null,
          target: '—',
        },
        {
          name: 'single create with a yescrypt password, median ms',
          ours: quantile(withPassword, 0.5),
          baseline: null,
          target: '—',
        },
        {
          name: 'useradd in a shell (its exit, the prompt back) → event, p95 ms (< 0: before it)',
          ours: quantile(afterExit, 0.95),
          baseline: null,
          target: '< 100 ms',
        },
        {
          name: "useradd's locks released → event, p95 ms (our share)",
          ours: quantile(fromRelease, 0.95),
          baseline: null,
          target: '—',
        },
        {
          name: "useradd in a shell (passwd written) → event, p95 ms (useradd's tail in it)",
          ours: quantile(fromPasswd, 0.95),
          baseline: null,
          target: '—',
        },
      ],
      { ours: 'licornd', baseline: 'useradd' },
    );
    process.stdout.write(
      `in-process RSS: ${rssAfterBulk.toFixed(0)} MiB after the bulk create, ${rssAtEnd.toFixed(0)} MiB at the end\n`,
    );
    process.stdout.write(
      `useradd loop: ${(loopForAll / count).toFixed(1)} ms per account (100 measured, scaled); bulk is ` +
        `${(loopForAll / bulk).toFixed(0)}× faster\n`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  // LICORN_BENCH_IMPORT_ROWS=none: the table above only (the scale runs of bench/README.md).
  if (process.env.LICORN_BENCH_IMPORT_ROWS !== 'none') await runImportBench();
}
