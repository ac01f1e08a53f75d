import { readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';

// Seconds between two searches of the process's descriptors for inotify instances: the
// watchers open theirs at start, and a search reads one link per open descriptor (sockets
// included), so it is not done at every tick.
const searchEveryMs = 10_000;

// How the kernel starts each watch's line; every one follows a line break (`pos:` comes first).
const watchLine = Buffer.from('\ninotify wd:');

// How many times `needle` occurs in `haystack`, without making a string of either.
function countOccurrences(haystack: Buffer, needle: Buffer): number {
  let count = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length)) count += 1;
  return count;
}

// Counts the inotify watches this process holds now, from the kernel's own account of each
// inotify descriptor (`/proc/self/fdinfo/<fd>`, one `inotify wd:` line a watch): the
// accounts watcher's (fs.watch, libuv's one instance) and the volumes watcher's (its native
// thread's instance, one watch per block device node besides /dev and /dev/disk/by-uuid)
// together, exactly, whichever of them opened what. Returns the function to call per reading.
export function createInotifyWatchCounter(procDir = '/proc/self'): () => Promise<number> {
  let descriptors: string[] = [];
  let searchedAt = -Infinity;
  const search = async () => {
    searchedAt = Date.now();
    const found: string[] = [];
    for (const fd of await readdir(join(procDir, 'fd')).catch(() => [])) {
      const target = await readlink(join(procDir, 'fd', fd)).catch(() => '');
      if (target === 'anon_inode:inotify') found.push(fd);
    }
    descriptors = found;
  };
  return async () => {
    if (Date.now() - searchedAt > searchEveryMs) await search();
    let watches = 0;
    let lost = false;
    for (const fd of descriptors) {
      // Read off the event loop, and counted in the bytes: a share watcher's instance lists
      // one line per directory (200,000 shared directories: ~20 MB for the kernel to write).
      const info = await readFile(join(procDir, 'fdinfo', fd)).catch(() => Buffer.alloc(0));
      // A descriptor closed (and perhaps reused by a socket) since the search: search again.
      if (!info.includes('inotify')) lost = true;
      watches += countOccurrences(info, watchLine);
    }
    if (lost) searchedAt = -Infinity;
    return watches;
  };
}
