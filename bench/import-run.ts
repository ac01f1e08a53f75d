// One CSV import through the route of a fresh daemon, as an admin meets it (import-bench.ts):
// the answer read and the frame in which an open /accounts/ page shows the new rows, with the
// daemon's RSS meanwhile.
import { readdir, rm, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import WebSocket from 'ws';
import { createDemoRoot } from '../server/core/demo/create-demo-root.ts';
import { testPasswords } from '../test/helpers/sandbox.ts';
import { getCookieHeader, logIn } from './browser.ts';
import { getCpuMs, getMemory, startServer } from './processes.ts';
import { getRssSplit, type RssSplit } from './rss-split.ts';
import { widenRoot } from './bench-accounts.ts';

const projectDir = join(import.meta.dirname, '..');
// LICORN_BENCH_PROFILE_DIR=dir: each daemon writes a CPU profile there (node --cpu-prof).
const profileDir = process.env.LICORN_BENCH_PROFILE_DIR;
// LICORN_BENCH_SNAPSHOT_DIR=dir: each daemon writes a heap snapshot there once the page shows
// the rows (what stays after an import; node --heapsnapshot-signal).
const snapshotDir = process.env.LICORN_BENCH_SNAPSHOT_DIR;

// One import's figures.
export interface ImportRun {
  rows: number;
  answered: number;
  shown: number;
  progressFrames: number;
  // The daemon's CPU time from the request to the rows shown (ms, user and system).
  cpu: number;
  // Before the import (the page open), at its peak, and once the page shows the rows.
  beforeMiB: number;
  peakMiB: number;
  afterMiB: number;
  // Five seconds later, the daemon idle (V8 gives back some of a burst's heap by then), and
  // the CPU it spent meanwhile (ms: the full collection after a burst, collect-after-burst.ts).
  settledMiB: number;
  settledCpu: number;
  // Where the RSS is, before the import and 5 s after it (rss-split.ts).
  splitBefore: RssSplit;
  splitSettled: RssSplit;
}

// The CSV an admin would import: login, full name, and a group for every third row.
function getCsv(count: number): string {
  const lines = ['login,fullName,groups'];
  for (let i = 0; i < count; i += 1) lines.push(`imp${i},Imported Account ${i},${i % 3 === 0 ? 'developers' : ''}`);
  return `${lines.join('\n')}\n`;
}

// A demo root with the benches' wide ID ranges (bench-accounts.ts: room for 100,000 accounts
// and their subordinate ids), the same at every size so that the figures compare.
export async function createRoot(root: string): Promise<void> {
  await createDemoRoot(root, { passwords: testPasswords });
  await widenRoot(root);
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
          // The count is formatted in the page's language (10,052 in English).
          const shown = Number((/^[^a-z]*/i.exec(counts)?.[0] ?? '').replace(/\D/g, ''));
          if (body.dataset.generation === before || shown !== count) return;
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

// Has the daemon `pid` write a heap snapshot into `dir` and waits until it is written.
async function writeSnapshot(pid: number, dir: string): Promise<void> {
  const sizes = async () => {
    const names = (await readdir(dir)).filter((name) => name.endsWith('.heapsnapshot'));
    return Promise.all(names.map(async (name) => (await stat(join(dir, name))).size));
  };
  const before = (await sizes()).length;
  process.kill(pid, 'SIGUSR2');
  // Written in pieces: done once there is one more and its size held for a second (not at
  // 0 bytes: at 100,000 accounts it stays empty for seconds, and the daemon was stopped).
  let last = '';
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const now = await sizes();
    if (now.length > before && !now.includes(0) && now.join() === last) return;
    last = now.join();
  }
}

// Imports `count` rows through a fresh daemon, as described at the top.
export async function runImport(
  browser: Browser,
  dir: string,
  count: number,
  script = join(projectDir, 'dist/server/main.js'),
): Promise<ImportRun> {
  const root = join(dir, `daemon-${count}`);
  await createRoot(root);
  const configFile = join(dir, 'licorn.conf');
  await writeFile(configFile, 'log.level = "warn"\n');
  const daemon = await startServer(
    script,
    [...['--config', configFile, '--root', root, '--tls-dir', join(dir, 'certs'), '--port', '0']],
    {},
    [
      ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
      ...(snapshotDir ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${snapshotDir}`] : []),
    ],
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
    const countsText = (await page.locator('#accounts-counts').textContent()) ?? '';
    const before = Number((/^[^a-z]*/i.exec(countsText)?.[0] ?? '').replace(/\D/g, ''));
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
    const beforeMiB = (await getMemory(daemon.child.pid!)).rssMiB;
    const splitBefore = await getRssSplit(daemon.child.pid!);
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
    const cpuBefore = await getCpuMs(daemon.child.pid!);
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
    const cpu = (await getCpuMs(daemon.child.pid!)) - cpuBefore;
    const memory = await getMemory(daemon.child.pid!);
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const settled = await getMemory(daemon.child.pid!);
    const settledCpu = (await getCpuMs(daemon.child.pid!)) - cpuBefore - cpu;
    const splitSettled = await getRssSplit(daemon.child.pid!);
    if (snapshotDir) await writeSnapshot(daemon.child.pid!, snapshotDir);
    await page.context().close();
    return {
      rows: count,
      answered: answered - started,
      shown: Math.max(answered, painted) - started,
      progressFrames,
      cpu,
      beforeMiB,
      peakMiB: Math.max(peakMiB, memory.peakMiB),
      afterMiB: memory.rssMiB,
      settledMiB: settled.rssMiB,
      settledCpu,
      splitBefore,
      splitSettled,
    };
  } finally {
    socket?.close();
    await daemon.stop();
    await rm(root, { recursive: true, force: true });
  }
}
