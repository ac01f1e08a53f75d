import { lstat } from 'node:fs/promises';

// What a share's path holds now, against the directory the watcher was last given there.
export type ShareDirectoryState = 'same' | 'other' | 'gone';

// The directories the watcher was given for each share (device and inode, by GID), and the
// shares whose directory went away (moved or removed by root: red team F7), looked at again
// every `recheckMs` until a directory is back (`recheck`, the service's reconcile, watches it).
export class ShareDirectories {
  readonly #given = new Map<number, string>();
  readonly #gone = new Set<number>();
  readonly #recheck: () => void;
  readonly #recheckMs: number;
  #timer: NodeJS.Timeout | null = null;

  constructor(recheck: () => void, recheckMs: number) {
    this.#recheck = recheck;
    this.#recheckMs = recheckMs;
  }

  // Notes the directory at `path` as the one the watcher is given for a share.
  async record(gid: number, path: string): Promise<void> {
    const key = await getDirectoryKey(path);
    if (key === null) this.#given.delete(gid);
    else this.#given.set(gid, key);
  }

  // Whether `path` still holds the directory given (a real directory: a symlink is none).
  async check(gid: number, path: string): Promise<ShareDirectoryState> {
    const key = await getDirectoryKey(path);
    if (key === null) return 'gone';
    return key === this.#given.get(gid) ? 'same' : 'other';
  }

  // Whether a share's directory went away and is not watched again yet.
  isGone(gid: number): boolean {
    return this.#gone.has(gid);
  }

  // A share whose directory went away: unwatched, looked for again until it is back.
  setGone(gid: number): void {
    this.#given.delete(gid);
    this.#gone.add(gid);
    this.#timer ??= setInterval(this.#recheck, this.#recheckMs).unref();
  }

  // A share watched again, or no longer a share.
  forget(gid: number): void {
    this.#gone.delete(gid);
    if (this.#gone.size === 0) this.stop();
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }
}

// A directory's device and inode, or null when `path` is no directory (gone, a symlink).
async function getDirectoryKey(path: string): Promise<string | null> {
  const stat = await lstat(path, { bigint: true }).catch(() => null);
  return stat?.isDirectory() ? `${stat.dev}:${stat.ino}` : null;
}
