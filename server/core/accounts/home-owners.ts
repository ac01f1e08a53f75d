import { lstatSync, readFileSync, statfsSync, type FSWatcher, type Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { getWatchEvents, watchCounted } from '../watch/watch-events.ts';
import { readMountsUnder } from './mounts-under.ts';

// The owners of the directories directly under the homes base, kept between creates: with
// 100,000 homes, listing and lstat-ing them all on every create cost 100,000 calls. The base
// is watched through inotify (fs.watch on the directory reports a child's creation, removal,
// rename and chown, IN_ATTRIB, by name), and only the names reported are read again. It is
// read whole again when the watch cannot be trusted: at first, after a watch error or an
// event without a name, when the base is another directory (dev, inode), when its mtime
// moved with no entry event seen (an event missed), when the mounts under it changed (a
// mount raises no event), and when so many events came between two reads that the kernel's
// queue may have overflowed (libuv drops IN_Q_OVERFLOW silently: an overflow needs
// max_queued_events unread events, all of which are then delivered; all watches count). A
// base on a network filesystem is not watched (another client's changes raise no event).
export class HomeOwners {
  #watching: boolean;
  #dir: string | null = null;
  #watcher: FSWatcher | null = null;
  // Directory name → its owner, and how many directories each owner has (root's not kept).
  #owners = new Map<string, number>();
  #counts = new Map<number, number>();
  // What the watch reported since the last read.
  #dirty = new Set<string>();
  // The process's watch events (all watchers: one queue) at the last read.
  #eventsAtRead = getWatchEvents();
  #entryEvents = 0;
  #whole = true;
  #seen: { dev: bigint; ino: bigint; mtimeNs: bigint } | null = null;
  // The mounts under the base at the last read (mounts-under.ts): a mount raises no event.
  #mounts: string | null = null;
  #reading: Promise<void> = Promise.resolve();
  // Full reads so far (tests and benches tell an incremental read from a whole one).
  wholeReads = 0;

  // `watching` false: every read lists the base whole (one-off callers).
  constructor({ watching = true }: { watching?: boolean } = {}) {
    this.#watching = watching;
  }

  // Whether a directory under the base is owned by `uid` (as of the last read).
  owns(uid: number): boolean {
    return (this.#counts.get(uid) ?? 0) > 0;
  }

  // Brings the owners up to date with `dir` (the homes base under the root); reads queue.
  read(dir: string): Promise<void> {
    const run = this.#reading.then(() => this.#read(dir));
    this.#reading = run.catch(() => {});
    return run;
  }

  // Stops watching for good (reads after it list the base whole).
  close(): void {
    this.#watching = false;
    this.#unwatch();
  }

  #unwatch(): void {
    this.#watcher?.close();
    this.#watcher = null;
  }

  async #read(dir: string): Promise<void> {
    if (dir !== this.#dir) {
      this.#unwatch();
      this.#dir = dir;
      this.#whole = true;
    }
    if (this.#watching && !this.#watcher) this.#watch(dir);
    // Read before the base's stat (a mount made after it is a change at the next read).
    const mounts = readMountsUnder(dir);
    const remounted = mounts !== this.#mounts;
    this.#mounts = mounts;
    // stat, not lstat: a base that is a symlink (/home → /var/home) is read and watched
    // through it (readdir and inotify follow it), as its target.
    const info = await stat(dir, { bigint: true }).catch(() => null);
    // The events the kernel queued before the stat are delivered in the poll phase that
    // ended it; setImmediate runs after that phase: a chown made before this read is seen.
    await new Promise((resolve) => setImmediate(resolve));
    if (!info?.isDirectory()) {
      // No base, no homes (as a failed listing said before): looked at again next time.
      this.#unwatch();
      this.#set(new Map());
      this.#seen = null;
      this.#whole = true;
      return;
    }
    const seen = this.#seen;
    const same = seen !== null && seen.dev === info.dev && seen.ino === info.ino;
    const missed = seen !== null && seen.mtimeNs !== info.mtimeNs && this.#entryEvents === 0;
    // Counted over every watch of the process: the etc watch's events fill the same queue.
    const events = getWatchEvents() - this.#eventsAtRead;
    const whole = !this.#watcher || this.#whole || !same || missed || remounted || events >= overflowEvents;
    this.#eventsAtRead += events;
    this.#entryEvents = 0;
    this.#seen = { dev: info.dev, ino: info.ino, mtimeNs: info.mtimeNs };
    if (whole) {
      // Another directory at the path: the watch followed the old one.
      if (!same && this.#watching) {
        this.#unwatch();
        this.#watch(dir);
      }
      this.#whole = false;
      this.#dirty.clear();
      this.wholeReads += 1;
      const names = await readdir(dir).catch(() => [] as string[]);
      const owners = new Map<string, number>();
      for (const [name, uid] of await readOwners(dir, names)) if (uid !== null) owners.set(name, uid);
      this.#set(owners);
      return;
    }
    const names = [...this.#dirty];
    this.#dirty.clear();
    for (const [name, uid] of await readOwners(dir, names)) this.#setOne(name, uid);
  }

  #watch(dir: string): void {
    // What changed before a new watch was not heard: the read that follows is whole.
    this.#whole = true;
    // libuv names an event of the base itself (removed, moved, chmod) after its basename.
    const self = basename(dir);
    try {
      // inotify hears this machine's changes only: another NFS client's chown is never told.
      if (remoteFilesystems.has(statfsSync(dir).type)) return;
      const watcher = watchCounted(dir, (type, filename) => {
        if (type === 'rename') this.#entryEvents += 1;
        const name = filename?.toString();
        if (name === undefined || name === self) {
          // The base itself (or a home of the same name): a base removed and made again
          // may get the same inode number (ext4) while this watch died with the old one.
          this.#whole = true;
          if (this.#watcher === watcher) this.#watcher = null;
          watcher.close();
        } else this.#dirty.add(name);
      });
      watcher.on('error', () => {
        // Read whole next time, with a new watch.
        this.#whole = true;
        if (this.#watcher === watcher) this.#watcher = null;
        watcher.close();
      });
      this.#watcher = watcher;
    } catch {
      // No base yet, or no inotify watch left (max_user_watches): every read is whole.
      this.#watcher = null;
    }
  }

  #set(owners: Map<string, number>): void {
    this.#owners = owners;
    this.#counts = new Map();
    for (const uid of owners.values()) this.#counts.set(uid, (this.#counts.get(uid) ?? 0) + 1);
  }

  #setOne(name: string, uid: number | null): void {
    const before = this.#owners.get(name);
    if (before === uid) return;
    if (before !== undefined) {
      const left = this.#counts.get(before)! - 1;
      if (left === 0) this.#counts.delete(before);
      else this.#counts.set(before, left);
      this.#owners.delete(name);
    }
    if (uid === null) return;
    this.#owners.set(name, uid);
    this.#counts.set(uid, (this.#counts.get(uid) ?? 0) + 1);
  }
}

// statfs(2) magic numbers of filesystems another machine changes too (NFS, SMB/CIFS, Ceph,
// AFS, 9p, FUSE, GlusterFS through FUSE): a base on one is listed whole at every read.
const remoteFilesystems = new Set([
  0x6969, 0x517b, 0xff534d42, 0xfe534d42, 0x00c36400, 0x5346414f, 0x01021997, 0x65735546,
]);

// Events between two reads past which the kernel's queue may have overflowed: half its
// size, so that the events queued around a read's own flush cannot hide one.
const overflowEvents = Math.floor(readQueueSize() / 2);

function readQueueSize(): number {
  try {
    const size = Number(readFileSync('/proc/sys/fs/inotify/max_queued_events', 'utf8'));
    return Number.isInteger(size) && size > 0 ? size : 16_384;
  } catch {
    return 16_384;
  }
}

// The owner of each of `names` under `dir` that is a directory (not a link) owned by
// another than root; null for the others. lstat(2) is a few microseconds: made
// synchronously, in slices of 1,000 between which other work runs (through the promises API
// 100,000 of them cost 3.5 s of CPU, the calls' promises and thread-pool hops, not the calls).
async function readOwners(dir: string, names: readonly string[]): Promise<[string, number | null][]> {
  const owners: [string, number | null][] = [];
  for (let start = 0; start < names.length; start += 1000) {
    if (start > 0) await new Promise((resolve) => setImmediate(resolve));
    for (const name of names.slice(start, start + 1000)) {
      let stat: Stats | undefined;
      try {
        stat = lstatSync(join(dir, name), { throwIfNoEntry: false });
      } catch {
        stat = undefined;
      }
      owners.push([name, stat?.isDirectory() && stat.uid !== 0 ? stat.uid : null]);
    }
  }
  return owners;
}
