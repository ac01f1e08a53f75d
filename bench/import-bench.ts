// The bulk-create benchmark as an admin meets it: a CSV of N rows (a third with a group)
// posted to the import route of a running daemon while a Chromium page follows /accounts/
// and a push client follows the import's progress, timed until the answer is read and the
// page shows the new rows; with the daemon's peak RSS. The baseline, in the same run, is the
// core's own createAccounts of the same rows in-process (what the accounts table timed).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWebBundle } from '../web/build.ts';
import { buildServerBundle } from '../server/build.ts';
import { AccountsService } from '../server/core/accounts/accounts-service.ts';
import { EventBus } from '../server/core/events/event-bus.ts';
import { launchChromium } from './browser.ts';
import { printTable, type BenchRow } from './print-table.ts';
import { createRoot, runImport, type ImportRun } from './import-run.ts';
import { useWideRanges } from './bench-accounts.ts';

// Row counts, e.g. LICORN_BENCH_IMPORT_ROWS=2500,5000 (the default shows it is linear).
// LICORN_BENCH_IMPORT_COMPARE=path/to/dist/server/main.js: another build of the daemon (a
// checkout before a change) imports the same rows up to 10,000, alternating with this one,
// for a before/after in the same run on a shared machine.
const compareScript = process.env.LICORN_BENCH_IMPORT_COMPARE;
// Up to 120,000: the roots and daemons get the wide ID ranges of bench-accounts.ts (Licorn's
// default standard UIDs end at 29999), e.g. LICORN_BENCH_IMPORT_ROWS=10000,100000.
const sizesText = process.env.LICORN_BENCH_IMPORT_ROWS || '2500,5000,10000,25000';
const sizes = sizesText.split(',').map(Number);

// The same rows created by the core in-process, without the route, the checks of the
// import's dry run, or the push (milliseconds).
async function timeCoreCreate(dir: string, count: number): Promise<{ wall: number; cpu: number }> {
  const root = join(dir, `core-${count}`);
  await createRoot(root);
  const service = await AccountsService.open({ root, events: new EventBus() });
  try {
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    await service.createAccounts(
      Array.from({ length: count }, (_, i) => ({
        login: `imp${i}`,
        fullName: `Imported Account ${i}`,
        groups: i % 3 === 0 ? ['developers'] : [],
        password: null,
        createHome: false,
      })),
    );
    const cpu = process.cpuUsage(cpuBefore);
    return { wall: performance.now() - started, cpu: (cpu.user + cpu.system) / 1000 };
  } finally {
    await service.close();
    await rm(root, { recursive: true, force: true });
  }
}

// Runs the import benchmark and prints its table.
export async function runImportBench(): Promise<void> {
  if (!sizes.every((size) => Number.isInteger(size) && size >= 1 && size <= 120_000))
    throw new Error(`LICORN_BENCH_IMPORT_ROWS must be counts in 1–120000 separated by commas, got "${sizesText}"`);
  useWideRanges();
  await buildWebBundle();
  await buildServerBundle();
  const dir = await mkdtemp(join(tmpdir(), 'licorn-import-bench-'));
  const browser = await launchChromium();
  const runs: (ImportRun & { core: number; coreCpu: number })[] = [];
  const compared: { before: ImportRun; after: ImportRun }[] = [];
  try {
    for (const count of sizes) {
      const core = await timeCoreCreate(dir, count);
      runs.push({ ...(await runImport(browser, dir, count)), core: core.wall, coreCpu: core.cpu });
      if (compareScript && count <= 10_000) {
        const before = await runImport(browser, dir, count, compareScript);
        compared.push({ before, after: await runImport(browser, dir, count) });
      }
    }
  } finally {
    await browser.close();
    await rm(dir, { recursive: true, force: true });
  }
  const rows: BenchRow[] = [];
  for (const run of runs) {
    const label = run.rows.toLocaleString('en');
    const target = run.rows === 10_000 ? '< 1000 ms' : run.rows === 100_000 ? '< 10000 ms' : 'linear (< 0.1 ms a row)';
    rows.push({ name: `import ${label} rows → answer read, ms`, ours: run.answered, baseline: run.core, target: '—' });
    rows.push({
      name: `import ${label} rows → rows shown in the page, ms`,
      ours: run.shown,
      baseline: run.core,
      target,
    });
    // What it cost in CPU, whatever the machine's other work made it wait.
    rows.push({
      name: `import ${label} rows: daemon's CPU time to rows shown, ms`,
      ours: run.cpu,
      baseline: run.coreCpu,
      target: '—',
    });
    rows.push({
      name: `import ${label} rows: daemon's peak RSS, MiB`,
      ours: run.peakMiB,
      baseline: null,
      target: '—',
    });
    rows.push({
      name: `import ${label} rows: daemon's RSS after (vs before), MiB`,
      ours: run.afterMiB,
      baseline: run.beforeMiB,
      target: run.rows === 10_000 ? '≤ 150 MiB' : '—',
    });
    rows.push({
      name: `import ${label} rows: daemon's RSS 5 s later, idle, MiB`,
      ours: run.settledMiB,
      baseline: run.beforeMiB,
      target: '—',
    });
  }
  printTable('Accounts: CSV import through the route (a third with a group; push followed)', rows, {
    ours: 'licornd',
    baseline: 'core',
  });
  if (compared.length > 0) printComparison(compared);
  for (const run of runs) {
    process.stdout.write(
      `${run.rows} rows: ${((run.shown / run.rows) * 1000).toFixed(1)} ms per 1,000 rows end to end, ` +
        `${run.progressFrames} progress frames, ${run.settledCpu} ms of CPU in the 5 s after\n`,
    );
    // Where the RSS is (rss-split.ts): what an import adds to V8's heap shows in the anonymous part.
    const say = (split: typeof run.splitBefore) =>
      `files ${split.files.toFixed(1)}, malloc heap ${split.mallocHeap.toFixed(1)}, ` +
      `anonymous ${split.anonymous.toFixed(1)} MiB (largest: ${split.largestAnonymous
        .slice(0, 6)
        .map(({ sizeMiB, rssMiB }) => `${rssMiB.toFixed(1)} of ${sizeMiB.toFixed(1)}`)
        .join(', ')})`;
    process.stdout.write(`  RSS before: ${say(run.splitBefore)}\n  RSS 5 s after: ${say(run.splitSettled)}\n`);
  }
}

// The same imports by the build in LICORN_BENCH_IMPORT_COMPARE (before) and this one (after).
function printComparison(compared: { before: ImportRun; after: ImportRun }[]): void {
  const rows = compared.flatMap(({ before, after }) => [
    {
      name: `import ${after.rows.toLocaleString('en')} rows → rows shown in the page, ms`,
      ours: after.shown,
      baseline: before.shown,
      target: '—',
    },
    {
      name: `import ${after.rows.toLocaleString('en')} rows: daemon's CPU time, ms`,
      ours: after.cpu,
      baseline: before.cpu,
      target: '—',
    },
    {
      name: `import ${after.rows.toLocaleString('en')} rows: peak RSS, MiB`,
      ours: after.peakMiB,
      baseline: before.peakMiB,
      target: '—',
    },
    {
      name: `import ${after.rows.toLocaleString('en')} rows: RSS after, MiB`,
      ours: after.afterMiB,
      baseline: before.afterMiB,
      target: '≤ 150 MiB',
    },
    {
      name: `import ${after.rows.toLocaleString('en')} rows: RSS 5 s later, MiB`,
      ours: after.settledMiB,
      baseline: before.settledMiB,
      target: '—',
    },
  ]);
  printTable('Accounts: the same CSV imports, this build against LICORN_BENCH_IMPORT_COMPARE', rows, {
    ours: 'after',
    baseline: 'before',
  });
}
