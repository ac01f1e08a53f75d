import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

// The kernel's inotify limits for one user (the daemon's, root's: all its watches count).
export interface InotifyLimits {
  maxUserWatches: number;
  maxQueuedEvents: number;
}

// Where the sysctl line goes (`licornd install` writes it).
export const sysctlFile = '/etc/sysctl.d/60-licorn.conf';

// The fewest queued events a watcher of shares should get: the kernel's default. Below it a
// burst (a `cp -r`) overflows often, and each overflow rescans every share.
const minQueuedEvents = 16384;
// The most `licornd install` asks for: a full queue costs the kernel ~64 bytes per event.
const maxQueuedEvents = 1_048_576;

// The limits the shares want for `directories` watched directories: room to grow by half
// (at least the kernel's usual 65536), and a queue holding one event per directory (a burst
// of one new file in every directory is then no overflow, hence no rescan).
export function getWantedInotifyLimits(directories: number): InotifyLimits {
  return {
    maxUserWatches: Math.max(65536, Math.ceil(directories * 1.5)),
    maxQueuedEvents: Math.min(maxQueuedEvents, Math.max(minQueuedEvents, directories)),
  };
}

// Reads the limits from /proc/sys/fs/inotify (null: not readable, as in some containers).
export async function readInotifyLimits(procDir = '/proc'): Promise<InotifyLimits | null> {
  const read = async (name: string) =>
    Number.parseInt(await readFile(join(procDir, 'sys/fs/inotify', name), 'utf8'), 10);
  try {
    const [maxUserWatches, maxQueuedEvents] = await Promise.all([read('max_user_watches'), read('max_queued_events')]);
    return Number.isFinite(maxUserWatches) && Number.isFinite(maxQueuedEvents)
      ? { maxUserWatches, maxQueuedEvents }
      : null;
  } catch {
    return null;
  }
}

// The warning to give when the limits are too low for `directories` watched directories
// (the shares' trees as the watcher's walk counted them, plus room to grow by half), or
// null: one message naming the lines to install.
export function getInotifyLimitsWarning(directories: number, limits: InotifyLimits): string | null {
  const wanted = getWantedInotifyLimits(directories);
  const lines: string[] = [];
  if (limits.maxUserWatches < directories * 1.25) lines.push(`fs.inotify.max_user_watches = ${wanted.maxUserWatches}`);
  if (limits.maxQueuedEvents < minQueuedEvents) lines.push(`fs.inotify.max_queued_events = ${wanted.maxQueuedEvents}`);
  if (lines.length === 0) return null;
  return (
    `licornd: the shares have ${directories} directories to watch, but fs.inotify.max_user_watches is ` +
    `${limits.maxUserWatches} and fs.inotify.max_queued_events ${limits.maxQueuedEvents}: files changed in ` +
    `directories not watched keep wrong rights. Install ${sysctlFile}: ${lines.join('; ')} ` +
    `(\`licornd install\` writes and applies it)`
  );
}
