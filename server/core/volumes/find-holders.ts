import { readFile } from 'node:fs/promises';
import { findHolderPids } from '../../native/native.ts';
import type { VolumeHolder } from './volumes-api.ts';

// A "major:minor" device (mountinfo's field) as numbers.
function parseDev(dev: string): [number, number] {
  const [major, minor] = dev.split(':').map(Number);
  return [major ?? -1, minor ?? -1];
}

// Of `pids`, those that hold the filesystem `dev` ("major:minor") now, through any of its mounts
// `mountIds` (a btrfs subvolume's files carry an anonymous device of their own: the mount they
// are reached through names them). Checked again just before a signal: a PID seen during a
// long scan may have exited and been reused since.
export async function getPidsHolding(
  pids: readonly number[],
  dev: string,
  mountIds: ReadonlySet<number>,
): Promise<Set<number>> {
  if (pids.length === 0) return new Set();
  const [major, minor] = parseDev(dev);
  return new Set(await findHolderPids(major, minor, [...mountIds], pids));
}

// The processes that keep the filesystem `dev` ("major:minor" from mountinfo) busy: an open
// file, a current or root directory, a mapped file. The scan is the addon's (holder_scan.c),
// on a worker thread, and asks the filesystem nothing: a hung FUSE server cannot hang it, as
// Node's stat() of each /proc link did (a pool thread lost for good per call). `getLogin`
// names a uid; `mountIds` are the ids of its mounts.
export async function findHolders(
  dev: string,
  getLogin: (uid: number) => string,
  mountIds: ReadonlySet<number> = new Set(),
): Promise<VolumeHolder[]> {
  const [major, minor] = parseDev(dev);
  const pids = await findHolderPids(major, minor, [...mountIds]);
  const holders: VolumeHolder[] = [];
  for (const pid of pids.sort((a, b) => a - b)) {
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => null);
    if (status === null) continue; // exited meanwhile
    const command = (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '?')).trim();
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
    holders.push({ pid, command, login: uid >= 0 ? getLogin(uid) : '?' });
  }
  return holders;
}
