import { closeSync, openSync, read, readSync } from 'node:fs';
import { readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const readAsync = promisify(read);

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

// Bytes of an fdinfo file read on the event loop: the whole of a small instance's (the accounts
// watcher's, the volumes watcher's: a few lines), the start of a share watcher's.
const firstBytes = 16 * 1024;

// Bytes read at a time, off the event loop, past firstBytes.
const chunkBytes = 1024 * 1024;

// The watches an inotify descriptor's fdinfo lists, or null when it is not one (any more).
// Its first bytes are read at once into `kept` and counted there: the kernel writes the file
// from memory, where fs/promises' readFile took five trips through libuv's threads (open,
// fstat, two reads, close) for a few lines, ~2 ms a second of the main thread with 20 status
// followers (their promises' turns). Past firstBytes (a share watcher's instance lists one
// line per shared directory: ~20 MB at 200,000), the rest is read off the event loop.
async function countFdinfoWatches(path: string, kept: Buffer): Promise<number | null> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    let length = 0;
    for (;;) {
      const count = readSync(fd, kept, length, kept.length - length, null);
      length += count;
      if (count === 0) {
        const info = kept.subarray(0, length);
        return info.includes('inotify') ? countOccurrences(info, watchLine) : null;
      }
      if (length === kept.length) break;
    }
    // Past it, counted chunk by chunk (never the ~20 MB whole in memory), each chunk after the
    // previous one's last bytes, so that a line straddling two chunks is counted once.
    if (!kept.includes('inotify')) return null;
    const carry = watchLine.length - 1;
    const chunk = Buffer.allocUnsafe(carry + chunkBytes);
    kept.copy(chunk, 0, kept.length - carry);
    let watches = countOccurrences(kept, watchLine);
    for (;;) {
      const { bytesRead } = await readAsync(fd, chunk, carry, chunkBytes, null);
      if (bytesRead === 0) return watches;
      watches += countOccurrences(chunk.subarray(0, carry + bytesRead), watchLine);
      chunk.copy(chunk, 0, bytesRead, carry + bytesRead);
    }
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

// Counts the inotify watches this process holds now, from the kernel's own account of each
// inotify descriptor (`/proc/self/fdinfo/<fd>`, one `inotify wd:` line a watch): the
// accounts watcher's (fs.watch, libuv's one instance) and the volumes watcher's (its native
// thread's instance, one watch per block device node besides /dev and /dev/disk/by-uuid)
// together, exactly, whichever of them opened what. Returns the function to call per reading.
export function createInotifyWatchCounter(procDir = '/proc/self'): () => Promise<number> {
  let descriptors: string[] = [];
  let searchedAt = -Infinity;
  const kept = Buffer.allocUnsafe(firstBytes);
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
      const count = await countFdinfoWatches(join(procDir, 'fdinfo', fd), kept);
      // A descriptor closed (and perhaps reused by a socket) since the search: search again.
      if (count === null) lost = true;
      else watches += count;
    }
    if (lost) searchedAt = -Infinity;
    return watches;
  };
}
