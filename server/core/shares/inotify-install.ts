import { constants } from 'node:fs';
import { mkdir, open, opendir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { sharesBase } from '../accounts/home-paths.ts';
import { getWantedInotifyLimits, readInotifyLimits, sysctlFile, type InotifyLimits } from './inotify-limits.ts';

// What `licornd install` did to the inotify limits, for it to print.
export interface InotifyInstall {
  directories: number;
  shares: number;
  file: string;
  values: InotifyLimits;
  // false: the file already said exactly this (nothing written).
  written: boolean;
  // The kernel's values raised now (empty under a sandbox root: nothing applied there).
  applied: { key: string; from: number; to: number }[];
  sandbox: boolean;
}

// Where `licornd install` works: the root's files, and whether it is the machine itself.
export interface InotifyInstallOptions {
  root: string;
  // The machine itself (root "/"): the running kernel's values are raised too.
  isRealMachine: boolean;
  // Default: /proc (tests give their own, with sys/fs/inotify/* files in it).
  procDir?: string;
}

const keys = { maxUserWatches: 'fs.inotify.max_user_watches', maxQueuedEvents: 'fs.inotify.max_queued_events' };
const procNames = { maxUserWatches: 'max_user_watches', maxQueuedEvents: 'max_queued_events' };
const header =
  '# Written by `licornd install` (Licorn WMI): the group shares are watched with one inotify watch\n' +
  '# per directory; a value here is never lowered by it.\n';

// Directories below each share (home/groups/*) as the watcher walks them: symlinks not
// followed, another filesystem mounted inside a share not entered.
export async function countShareDirectories(root: string): Promise<{ directories: number; shares: number }> {
  const base = join(root, sharesBase);
  let directories = 0;
  let shares = 0;
  const entries = await opendir(base).catch(() => null);
  for await (const entry of entries ?? []) {
    if (!entry.isDirectory()) continue;
    const count = await countTree(join(base, entry.name), null);
    if (count > 0) shares += 1;
    directories += count;
  }
  return { directories, shares };
}

const directoryFlags = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

// The directories of the tree at `path` (on `device`, or its own for a share), each opened by
// descriptor, below its parent's (/proc/self/fd/N/name) without following a symlink: a member
// who swaps a directory for a symlink between the listing and the open gets nothing counted,
// never root's walk sent out of the share (red team F16: it inflated the limits written).
async function countTree(path: string, device: number | null): Promise<number> {
  const handle = await open(path, directoryFlags).catch(() => null);
  if (handle === null) return 0;
  try {
    const info = await handle.stat();
    if (!info.isDirectory() || (device !== null && info.dev !== device)) return 0;
    const here = `/proc/self/fd/${handle.fd}`;
    const names: string[] = [];
    for await (const child of (await opendir(here).catch(() => null)) ?? [])
      if (child.isDirectory()) names.push(child.name);
    let count = 1;
    for (const name of names) count += await countTree(join(here, name), info.dev);
    return count;
  } finally {
    await handle.close();
  }
}

// The values an existing sysctl.d file of ours sets (missing keys: 0).
function parseSysctlFile(text: string): InotifyLimits {
  const values: InotifyLimits = { maxUserWatches: 0, maxQueuedEvents: 0 };
  for (const line of text.split('\n')) {
    const match = /^\s*([\w.]+)\s*=\s*(\d+)\s*$/.exec(line);
    if (!match) continue;
    for (const [field, key] of Object.entries(keys) as [keyof InotifyLimits, string][])
      if (match[1] === key) values[field] = Number(match[2]);
  }
  return values;
}

// Writes `text` to `path` atomically (a temporary file beside it, synced, renamed over it).
async function writeAtomically(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = join(dirname(path), `.${process.pid}.licorn-sysctl.tmp`);
  try {
    await writeFile(temporary, text, { mode: 0o644 });
    const handle = await open(temporary, 'r');
    await handle.sync().finally(() => handle.close());
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

// `licornd install`'s inotify part: the sysctl.d file with the limits the shares' trees want
// (never lower than the running kernel's or than the file already says), written only when
// it changes, and applied to the running kernel when root is the machine (only raising).
export async function installInotifyLimits(options: InotifyInstallOptions): Promise<InotifyInstall> {
  const procDir = options.procDir ?? '/proc';
  const { directories, shares } = await countShareDirectories(options.root);
  const file = join(options.root, sysctlFile);
  const existingText = await readFile(file, 'utf8').catch(() => null);
  const existing = parseSysctlFile(existingText ?? '');
  const running = options.isRealMachine ? await readInotifyLimits(procDir) : null;
  const wanted = getWantedInotifyLimits(directories);
  const values: InotifyLimits = {
    maxUserWatches: Math.max(wanted.maxUserWatches, existing.maxUserWatches, running?.maxUserWatches ?? 0),
    maxQueuedEvents: Math.max(wanted.maxQueuedEvents, existing.maxQueuedEvents, running?.maxQueuedEvents ?? 0),
  };
  const text =
    `${header}${keys.maxUserWatches} = ${values.maxUserWatches}\n` +
    `${keys.maxQueuedEvents} = ${values.maxQueuedEvents}\n`;
  const written = existingText !== text;
  if (written) await writeAtomically(file, text);
  const applied: InotifyInstall['applied'] = [];
  if (options.isRealMachine) {
    for (const field of Object.keys(keys) as (keyof InotifyLimits)[]) {
      const from = running?.[field] ?? 0;
      if (values[field] <= from) continue;
      await writeFile(join(procDir, 'sys/fs/inotify', procNames[field]), `${values[field]}\n`);
      applied.push({ key: keys[field], from, to: values[field] });
    }
  }
  return { directories, shares, file, values, written, applied, sandbox: !options.isRealMachine };
}

// What an admin reads after `licornd install`: one line per thing done.
export function describeInotifyInstall(install: InotifyInstall): string[] {
  const { values } = install;
  const settings =
    `${keys.maxUserWatches} = ${values.maxUserWatches}, ` + `${keys.maxQueuedEvents} = ${values.maxQueuedEvents}`;
  const lines = [
    `${install.directories} directories to watch in ${install.shares} share${install.shares === 1 ? '' : 's'}`,
  ];
  lines.push(install.written ? `wrote ${install.file}: ${settings}` : `${install.file} already says ${settings}`);
  if (install.sandbox) lines.push('sandbox root: nothing applied to the running kernel');
  else if (install.applied.length === 0) lines.push('the running kernel already has these values or more');
  for (const { key, from, to } of install.applied) lines.push(`applied ${key}: ${from} → ${to}`);
  if (install.applied.some(({ key }) => key === keys.maxQueuedEvents))
    lines.push('restart licornd for its watcher to get the larger queue (taken when its inotify instance opens)');
  return lines;
}
