// What the pages bench times around an outside `useradd`: when it starts, writes passwd,
// releases its locks and exits, and when a row shows in an open page.
import { spawn } from 'node:child_process';
import { existsSync, watch } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

// Wall-clock milliseconds, finer than Date.now() (the pages' clock is the same).
const now = () => performance.timeOrigin + performance.now();

// One `useradd --prefix root -M login` from a shell's point of view: its start and its exit
// (the prompt coming back), wall clock. Rejects when it fails.
export function runUseradd(root: string, login: string): Promise<{ started: number; exited: number }> {
  const started = now();
  const child = spawn('useradd', ['--prefix', root, '-M', login], { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr.on('data', (chunk) => {
    errors += chunk;
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      const exited = now();
      if (code === 0) resolve({ started, exited });
      else reject(new Error(`useradd ${login} exited ${code}: ${errors}`));
    });
  });
}

// Starts recording, in the page, when a row with `id` is put in the document and when the
// next frame (the one that paints it) starts, as wall-clock times; resolves once the page
// records (the row may come any time after), with the function that waits for the figures.
// (Armed and awaited in one evaluate, 20 loaded pages were sometimes armed after the row came,
// and the bench waited for ever.)
export async function watchForRow(
  page: Page,
  id: string,
): Promise<() => Promise<{ inserted: number; painted: number }>> {
  await page.evaluate((rowId) => {
    const body = document.getElementById('account-rows')!;
    (window as unknown as Record<string, unknown>).rowShown = new Promise<{ inserted: number; painted: number }>(
      (resolve) => {
        const observer = new MutationObserver(() => {
          if (document.getElementById(rowId)) {
            observer.disconnect();
            const inserted = performance.timeOrigin + performance.now();
            requestAnimationFrame(() => resolve({ inserted, painted: performance.timeOrigin + performance.now() }));
          }
        });
        observer.observe(body, { childList: true });
      },
    );
  }, id);
  return () => page.evaluate('window.rowShown') as Promise<{ inserted: number; painted: number }>;
}

// When useradd wrote passwd (its mtime, wall clock: the kernel's coarse clock, so at most a
// few milliseconds early).
export async function getPasswdWritten(root: string): Promise<number> {
  return (await stat(join(root, 'etc/passwd'))).mtimeMs;
}

// Notes when shadow-utils' lock files of the account files go (inotify on etc/, in this
// process): useradd releases them once every file is written, and the daemon reads the
// change then. lastRelease() is the latest since the last reset(). At 100,000 accounts
// useradd writes for hundreds of milliseconds after passwd (shadow, subuid, subgid), so
// the delay from passwd written holds useradd's own work; the delay from the release is ours.
export function watchLockReleases(root: string): { reset(): void; lastRelease(): number; close(): void } {
  const locks = new Set(['passwd.lock', 'shadow.lock', 'group.lock', 'gshadow.lock']);
  let last = Number.NaN;
  const watcher = watch(join(root, 'etc'), (_event, name) => {
    if (name && locks.has(name.toString()) && !existsSync(join(root, 'etc', name.toString()))) last = now();
  });
  return {
    reset: () => {
      last = Number.NaN;
    },
    lastRelease: () => last,
    close: () => watcher.close(),
  };
}
