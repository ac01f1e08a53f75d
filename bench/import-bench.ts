// The bulk-create benchmark as an admin meets it: a CSV of N rows (a third with a group)
// posted to the import route of a running daemon while a Chromium page follows /accounts/
// and a push client follows the import's progress, timed until the answer is read and the
// page shows the new rows; with the daemon's peak RSS. The baseline, in the same run, is the
// core's own createAccounts of the same rows in-process (what the accounts table timed).
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import WebSocket from 'ws';
import { buildWebBundle } from '../web/build.ts';
import { buildServerBundle } from '../server/build.ts';
import { createDemoRoot } from '../server/core/demo/create-demo-root.ts';
import { AccountsService } from '../server/core/accounts/accounts-service.ts';
import { EventBus } from '../server/core/events/event-bus.ts';
import { testPasswords } from '../test/helpers/sandbox.ts';
import { getCookieHeader, launchChromium, logIn } from './browser.ts';
import { getMemory, startServer } from './processes.ts';
import { printTable, type BenchRow } from './print-table.ts';

const projectDir = join(import.meta.dirname, '..');
// Row counts, e.g. LICORN_BENCH_IMPORT_ROWS=2500,5000 (the default shows it is linear).
// LICORN_BENCH_PROFILE_DIR=dir: each daemon writes a CPU profile there (node --cpu-prof).
const profileDir = process.env.LICORN_BENCH_PROFILE_DIR;
const sizes = (process.env.LICORN_BENCH_IMPORT_ROWS ?? '2500,5000,10000,100000').split(',').map(Number);

// One import's figures.
interface ImportRun {
  rows: number;
  answered: number;
  shown: number;
  progressFrames: number;
  peakMiB: number;
  afterMiB: number;
}

// The CSV an admin would import: login, full name, and a group for every third row.
function getCsv(count: number): string {
  const lines = ['login,fullName,groups'];
  for (let i = 0; i < count; i += 1) lines.push(`imp${i},Imported Account ${i},${i % 3 === 0 ? 'developers' : ''}`);
  return `${lines.join('\n')}\n`;
}

// A demo root with room for every account's subordinate ids (bench/README.md).
async function createRoot(root: string): Promise<void> {
  await createDemoRoot(root, { passwords: testPasswords });
  await appendFile(join(root, 'etc/login.defs'), 'SUB_UID_MAX 4294967294\nSUB_GID_MAX 4294967294\n');
}

// POSTs JSON and resolves with the wall-clock time the answer was read to its end.
function postJson(port: number, path: string, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const call = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        rejectUnauthorized: false,
        headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if (response.statusCode !== 200) reject(new Error(`${path}: ${response.statusCode} ${text.slice(0, 300)}`));
          else resolve(Date.now());
        });
      },
    );
    call.on('error', reject);
    call.end(body);
  });
}

// Starts watching, in `page`, for the frame that shows `expected` accounts in its counts
// line and rows fetched again after the import (a new list generation); the returned
// function resolves with that frame's wall-clock time.
async function watchForImport(page: Page, expected: number): Promise<() => Promise<number>> {
  const slot = '__licornImportShown';
  await page.evaluate(
    ([count, name]) => {
      const body = document.getElementById('account-rows')!;
      const before = body.dataset.generation;
      (window as unknown as Record<string, Promise<number>>)[name] = new Promise<number>((resolve) => {
        // (No named functions in here: tsx would call a helper the page does not have.)
        const observer = new MutationObserver(() => {
          const counts = document.getElementById('accounts-counts')?.textContent ?? '';
          if (body.dataset.generation === before || !counts.startsWith(`${count} accounts`)) return;
          observer.disconnect();
          requestAnimationFrame(() => resolve(performance.timeOrigin + performance.now()));
        });
        observer.observe(document.body, { childList: true, subtree: true, attributes: true });
      });
    },
    [expected, slot] as const,
  );
  return () => page.evaluate((name) => (window as unknown as Record<string, Promise<number>>)[name]!, slot);
}

// Imports `count` rows through a fresh daemon, as described at the top.
async function runImport(browser: Browser, dir: string, count: number): Promise<ImportRun> {
  const root = join(dir, `daemon-${count}`);
  await createRoot(root);
  const configFile = join(dir, 'licorn.conf');
  await writeFile(configFile, 'log.level = "warn"\n');
  const daemon = await startServer(
    join(projectDir, 'dist/server/main.js'),
    [...['--config', configFile, '--root', root, '--tls-dir', join(dir, 'certs'), '--port', '0']],
    {},
    profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  );
  const url = `https://127.0.0.1:${daemon.port}`;
  let socket: WebSocket | null = null;
  try {
    const page = await logIn(browser, url);
    await page.goto('/accounts/');
    await page.locator('#connection-state[data-state="live"]').waitFor();
    const cookie = await getCookieHeader(page);
    const csrf = await page.evaluate(
      () => document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '',
    );
    const before = Number(/^(\d+)/.exec((await page.locator('#accounts-counts').textContent()) ?? '')?.[1]);
    // The import page's own follower: its progress topic, as the page subscribes to it.
    socket = new WebSocket(`wss://127.0.0.1:${daemon.port}/ws`, {
      headers: { cookie, origin: url },
      rejectUnauthorized: false,
    });
    const client = socket;
    await new Promise((resolve, reject) => {
      client.once('open', resolve);
      client.once('error', reject);
    });
    // Subscribed once the accounts snapshot (its counts) came back.
    const subscribed = new Promise((resolve) => client.once('message', resolve));
    client.send(JSON.stringify({ subscribe: ['import/bench-progress', 'accounts'] }));
    await subscribed;
    let progressFrames = 0;
    client.on('message', (data: WebSocket.RawData) => {
      if (data.toString().includes('"import-progress"')) progressFrames += 1;
    });
    const body = JSON.stringify({ csv: getCsv(count), createHomes: false, progress: 'bench-progress' });
    const shown = await watchForImport(page, before + count);
    // The daemon's RSS every 20 ms while it imports (VmHWM also counts its start).
    let peakMiB = 0;
    let sampling = true;
    const sampled = (async () => {
      while (sampling) {
        const memory = await getMemory(daemon.child.pid!).catch(() => null);
        if (!memory) break;
        peakMiB = Math.max(peakMiB, memory.rssMiB);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const started = Date.now();
    let answered: number;
    let painted: number;
    try {
      answered = await postJson(daemon.port, '/api/v1/accounts/import', { cookie, 'x-csrf-token': csrf }, body);
      painted = await shown();
    } finally {
      sampling = false;
      await sampled;
    }
    const memory = await getMemory(daemon.child.pid!);
    await page.context().close();
    return {
      rows: count,
      answered: answered - started,
      shown: Math.max(answered, painted) - started,
      progressFrames,
      peakMiB: Math.max(peakMiB, memory.peakMiB),
      afterMiB: memory.rssMiB,
    };
  } finally {
    socket?.close();
    await daemon.stop();
    await rm(root, { recursive: true, force: true });
  }
}

// The same rows created by the core in-process, without the route, the checks of the
// import's dry run, or the push (milliseconds).
async function timeCoreCreate(dir: string, count: number): Promise<number> {
  const root = join(dir, `core-${count}`);
  await createRoot(root);
  const service = await AccountsService.open({ root, events: new EventBus() });
  try {
    const started = performance.now();
    await service.createAccounts(
      Array.from({ length: count }, (_, i) => ({
        login: `imp${i}`,
        fullName: `Imported Account ${i}`,
        groups: i % 3 === 0 ? ['developers'] : [],
        password: null,
        createHome: false,
      })),
    );
    return performance.now() - started;
  } finally {
    await service.close();
    await rm(root, { recursive: true, force: true });
  }
}

// Runs the import benchmark and prints its table.
export async function runImportBench(): Promise<void> {
  await buildWebBundle();
  await buildServerBundle();
  const dir = await mkdtemp(join(tmpdir(), 'licorn-import-bench-'));
  const browser = await launchChromium();
  const runs: (ImportRun & { core: number })[] = [];
  try {
    for (const count of sizes) {
      const core = await timeCoreCreate(dir, count);
      runs.push({ ...(await runImport(browser, dir, count)), core });
    }
  } finally {
    await browser.close();
    await rm(dir, { recursive: true, force: true });
  }
  const rows: BenchRow[] = [];
  for (const run of runs) {
    const label = run.rows.toLocaleString('en');
    const target = run.rows > 10_000 ? '< 10000 ms' : run.rows === 10_000 ? '< 1000 ms' : 'linear';
    rows.push({ name: `import ${label} rows → answer read, ms`, ours: run.answered, baseline: run.core, target: '—' });
    rows.push({
      name: `import ${label} rows → rows shown in the page, ms`,
      ours: run.shown,
      baseline: run.core,
      target,
    });
    rows.push({
      name: `import ${label} rows: daemon's peak RSS, MiB`,
      ours: run.peakMiB,
      baseline: null,
      target: run.rows === 10_000 ? '≤ 150 MiB' : '—',
    });
    rows.push({
      name: `import ${label} rows: daemon's RSS after, MiB`,
      ours: run.afterMiB,
      baseline: null,
      target: '—',
    });
  }
  printTable('Accounts: CSV import through the route (a third with a group; push followed)', rows, {
    ours: 'licornd',
    baseline: 'core',
  });
  for (const run of runs) {
    process.stdout.write(
      `${run.rows} rows: ${((run.shown / run.rows) * 1000).toFixed(1)} ms per 1,000 rows end to end, ` +
        `${run.progressFrames} progress frames\n`,
    );
  }
}
