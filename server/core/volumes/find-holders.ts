import { open, readdir, readFile, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { VolumeHolder } from './volumes-api.ts';

// "major:minor" of a stat's st_dev (Linux's encoding, as glibc's major()/minor() decode it).
export function formatDev(dev: number): string {
  const major = ((dev >>> 8) & 0xfff) | (Math.floor(dev / 2 ** 32) & ~0xfff);
  const minor = (dev & 0xff) | ((dev >>> 12) & ~0xff);
  return `${major}:${minor >>> 0}`;
}

// The mount id ("mnt_id:") of an fdinfo file's text, or null.
function parseMountId(fdinfo: string): number | null {
  const match = /^mnt_id:\s*(\d+)/m.exec(fdinfo);
  return match ? Number(match[1]) : null;
}

// The mount a /proc link (cwd, root) is reached through: opened here (a directory, read-only)
// so that our own fdinfo names its mount.
async function getLinkMountId(path: string): Promise<number | null> {
  const handle = await open(path, 'r').catch(() => null);
  if (!handle) return null;
  try {
    return parseMountId(await readFile(`/proc/self/fdinfo/${handle.fd}`, 'utf8').catch(() => ''));
  } finally {
    await handle.close();
  }
}

// Whether a /proc link (fd, cwd, root) leads to a file on the filesystem `dev`. stat() follows
// the link to the open file itself, so deleted files, bind mounts and chroots are caught too.
// A btrfs subvolume has an anonymous device of its own (0:42 where the mount says 0:41): a
// file with a device of major 0 is matched by the mount it is reached through (`mountIds`,
// the mount ids of mountinfo; `fdinfo`, the fdinfo of an fd, else the link is opened).
async function isOnDevice(path: string, dev: string, mountIds: ReadonlySet<number>, fdinfo?: string) {
  const target = await readlink(path).catch(() => null);
  // Sockets, pipes and anonymous inodes live on no disk.
  if (!target || !target.startsWith('/')) return false;
  const info = await stat(path).catch(() => null);
  if (info === null) return false;
  const found = formatDev(info.dev);
  if (found === dev) return true;
  if (mountIds.size === 0 || !found.startsWith('0:')) return false;
  const id = fdinfo
    ? parseMountId(await readFile(fdinfo, 'utf8').catch(() => ''))
    : info.isDirectory()
      ? await getLinkMountId(path)
      : null;
  return id !== null && mountIds.has(id);
}

// Whether a process maps a file of `dev` (a program or library run from the volume): the
// maps line's fourth field is the device in hex, "fd:01".
async function mapsDevice(pid: string, dev: string): Promise<boolean> {
  const maps = await readFile(`/proc/${pid}/maps`, 'utf8').catch(() => '');
  const [major, minor] = dev.split(':').map(Number);
  for (const line of maps.split('\n')) {
    const field = line.split(' ')[3];
    if (!field) continue;
    const [mapMajor, mapMinor] = field.split(':').map((part) => Number.parseInt(part, 16));
    if (mapMajor === major && mapMinor === minor) return true;
  }
  return false;
}

// Whether process `pid` holds the filesystem `dev` now (checked again just before a signal:
// a PID seen during a long /proc scan may have exited and been reused since).
export async function holdsDevice(pid: string, dev: string, mountIds: ReadonlySet<number> = new Set()) {
  const base = `/proc/${pid}`;
  if (await isOnDevice(`${base}/cwd`, dev, mountIds)) return true;
  if (await isOnDevice(`${base}/root`, dev, mountIds)) return true;
  const fds = await readdir(`${base}/fd`).catch(() => [] as string[]);
  for (const fd of fds) {
    if (await isOnDevice(join(base, 'fd', fd), dev, mountIds, join(base, 'fdinfo', fd))) return true;
  }
  return mapsDevice(pid, dev);
}

// The processes that keep the filesystem `dev` ("major:minor" from mountinfo) busy: an open
// file, a current or root directory, a mapped file. `getLogin` names a uid; `mountIds` are the
// ids of its mounts (btrfs subvolumes: see isOnDevice).
export async function findHolders(
  dev: string,
  getLogin: (uid: number) => string,
  mountIds: ReadonlySet<number> = new Set(),
): Promise<VolumeHolder[]> {
  const pids = (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry));
  const holders: VolumeHolder[] = [];
  // Sequential on purpose: thousands of processes, each a few syscalls; no burst of open files.
  for (const pid of pids) {
    if (!(await holdsDevice(pid, dev, mountIds))) continue;
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => null);
    if (status === null) continue; // exited meanwhile
    const command = (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '?')).trim();
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
    holders.push({ pid: Number(pid), command, login: uid >= 0 ? getLogin(uid) : '?' });
  }
  return holders;
}
