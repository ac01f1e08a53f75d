import { readFileSync } from 'node:fs';
import { readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';

// Seconds between two searches of the process's descriptors for inotify instances: the
// watchers open theirs at start, and a search reads one link per open descriptor (sockets
// included), so it is not done at every tick.
const searchEveryMs = 10_000;

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
      // Read at once: the kernel writes it from memory (no trip through libuv's threads per tick).
      let text = '';
      try {
        text = readFileSync(join(procDir, 'fdinfo', fd), 'utf8');
      } catch {}
      // A descriptor closed (and perhaps reused by a socket) since the search: search again.
      if (!text.includes('inotify')) lost = true;
      for (const line of text.split('\n')) if (line.startsWith('inotify wd:')) watches += 1;
    }
    if (lost) searchedAt = -Infinity;
    return watches;
  };
}
