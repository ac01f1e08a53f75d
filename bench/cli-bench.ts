// The command line's benchmark, with 10,000 accounts: `licorn get users --json` through the
// local socket against `getent passwd | wc -l` over the same files and against a bare
// `node -e 0`, in the same run (target: within 150 ms of bare Node's start); and from
// `licorn add user` started to its row painted in an open accounts page, against `useradd`.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium, logIn } from './browser.ts';
import { buildWebBundle } from '../web/build.ts';
import { buildCliBundle, buildServerBundle } from '../server/build.ts';
import { createDemoRoot } from '../server/core/demo/create-demo-root.ts';
import { AccountsService } from '../server/core/accounts/accounts-service.ts';
import { EventBus } from '../server/core/events/event-bus.ts';
import { testPasswords } from '../test/helpers/sandbox.ts';
import { startBenchDaemon } from './processes.ts';
import { printTable } from './print-table.ts';
import { median, quantile } from './statistics.ts';

const projectDir = join(import.meta.dirname, '..');
const licornBin = join(projectDir, 'bin/licorn.js');

// Runs a command to its end, its output read (as a pipe to a script would); wall time in ms.
function timeRun(command: string, args: string[]): Promise<{ ms: number; stdout: string }> {
  const started = performance.now();
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      if (code !== 0) reject(new Error(`${command} ${args.join(' ')} exited ${code}`));
      else resolve({ ms, stdout: Buffer.concat(chunks).toString('utf8') });
    });
  });
}

// Starts recording, in the page, when the row `id` is put in the document and when the next
// frame (the one that paints it) starts, as wall-clock times.
function watchForRow(page: Page, id: string): Promise<number> {
  return page.evaluate(
    (rowId) =>
      new Promise<number>((resolve) => {
        const body = document.getElementById('account-rows')!;
        const observer = new MutationObserver(() => {
          if (document.getElementById(rowId)) {
            observer.disconnect();
            requestAnimationFrame(() => resolve(performance.timeOrigin + performance.now()));
          }
        });
        observer.observe(body, { childList: true });
      }),
    id,
  );
}

// A mount namespace where the sandbox's passwd and group are the machine's, for getent: a
// process holds it, and each measured getent enters it with nsenter (about a millisecond).
async function startFilesNamespace(root: string): Promise<{ pid: number; stop(): void }> {
  const script = [
    'mount --bind "$1/etc/passwd" /etc/passwd',
    'mount --bind "$1/etc/group" /etc/group',
    'echo ready',
    'exec sleep 3600',
  ].join(' && ');
  const child = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', root], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`unshare exited ${code}`)));
  });
  return { pid: child.pid!, stop: () => child.kill('SIGKILL') };
}

// Runs the benchmark and prints its table.
export async function runCliBench(): Promise<void> {
  await buildWebBundle();
  await buildServerBundle();
  await buildCliBundle();
  const dir = await mkdtemp(join(tmpdir(), 'licorn-cli-bench-'));
  const browser = await launchChromium();
  try {
    const root = join(dir, 'root');
    await createDemoRoot(root, { passwords: testPasswords });
    await appendFile(join(root, 'etc/login.defs'), 'SUB_UID_MAX 4294967294\nSUB_GID_MAX 4294967294\n');
    const service = await AccountsService.open({ root, events: new EventBus() });
    await service.createAccounts(
      Array.from({ length: 10_000 }, (_, i) => ({
        login: `bulk${i}`,
        fullName: `Bulk Account ${i}`,
        password: null,
        createHome: false,
      })),
    );
    await service.close();
    // No demo loop devices: nothing to detach if the run is killed.
    const daemon = await startBenchDaemon(dir, root, { env: { LICORN_DEMO_VOLUMES: 'false' } });
    const socket = join(dir, 'licornd.sock');
    const files = await startFilesNamespace(root);
    try {
      if (!existsSync(socket)) throw new Error(`no local socket at ${socket}`);
      const getUsers = () => timeRun(process.execPath, [licornBin, '--socket', socket, 'get', 'users', '--json']);
      const getent = () => timeRun('nsenter', ['-t', String(files.pid), '-m', 'sh', '-c', 'getent passwd | wc -l']);
      const bareNode = () => timeRun(process.execPath, ['-e', '0']);
      // Checked once: the whole list came, and getent saw the sandbox's accounts.
      const listed = JSON.parse((await getUsers()).stdout) as { accounts: unknown[] };
      const counted = Number((await getent()).stdout.trim());
      if (listed.accounts.length < 10_000 || counted < 10_000)
        throw new Error(`licorn listed ${listed.accounts.length}, getent ${counted}`);
      // Interleaved, so that a busy moment of the machine falls on all three alike.
      const times = { licorn: [] as number[], getent: [] as number[], node: [] as number[] };
      for (let i = 0; i < 30; i += 1) {
        times.licorn.push((await getUsers()).ms);
        times.getent.push((await getent()).ms);
        times.node.push((await bareNode()).ms);
      }

      // licorn add user → its row painted in an open accounts page, against useradd → row.
      const page = await logIn(browser, `https://127.0.0.1:${daemon.port}`);
      await page.goto('/accounts/');
      await page.locator('#connection-state[data-state="live"]').waitFor();
      const viaLicorn: number[] = [];
      const viaUseradd: number[] = [];
      for (let i = 0; i < 30; i += 1) {
        let shown = watchForRow(page, `account-clibench${i}`);
        let started = performance.timeOrigin + performance.now();
        await timeRun(process.execPath, [
          licornBin,
          '--socket',
          socket,
          'add',
          'user',
          `clibench${i}`,
          '--no-password',
        ]);
        viaLicorn.push((await shown) - started);
        shown = watchForRow(page, `account-shellbench${i}`);
        started = performance.timeOrigin + performance.now();
        await timeRun('useradd', ['--prefix', root, '-M', `shellbench${i}`]);
        viaUseradd.push((await shown) - started);
      }

      const overNode = median(times.licorn) - median(times.node);
      printTable(
        'Command line, 10,000 accounts (ms, wall time from spawn to exit; median of 30)',
        [
          {
            name: 'licorn get users --json vs getent passwd | wc -l',
            ours: median(times.licorn),
            baseline: median(times.getent),
            target: 'reported',
          },
          {
            name: 'licorn get users --json vs node -e 0',
            ours: median(times.licorn),
            baseline: median(times.node),
            target: `≤ node -e 0 + 150 ms: ${overNode <= 150 ? 'met' : 'MISSED'} (+${overNode.toFixed(0)} ms)`,
          },
          {
            name: 'licorn get users --json p95 vs node -e 0 p95',
            ours: quantile(times.licorn, 0.95),
            baseline: quantile(times.node, 0.95),
            target: 'reported',
          },
        ],
        { ours: 'licorn', baseline: 'baseline' },
      );
      printTable(
        'Account created → row painted in an open accounts page (ms from the command started)',
        [
          {
            name: 'licorn add user vs useradd, p50',
            ours: median(viaLicorn),
            baseline: median(viaUseradd),
            target: 'reported',
          },
          {
            name: 'licorn add user vs useradd, p95',
            ours: quantile(viaLicorn, 0.95),
            baseline: quantile(viaUseradd, 0.95),
            target: 'reported',
          },
        ],
        { ours: 'licorn', baseline: 'useradd' },
      );
    } finally {
      files.stop();
      await daemon.stop();
    }
  } finally {
    await browser.close();
    await rm(dir, { recursive: true, force: true });
  }
}
