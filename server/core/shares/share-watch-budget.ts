import type { InotifyLimits } from './inotify-limits.ts';
import type { ShareWatcher } from './share-watcher.ts';

// The share of root's inotify watches (fs.inotify.max_user_watches) the shares may take by default: the rest
// stays for root's other services (systemd path units, editors, other daemons).
export const defaultWatchShare = 0.75;

// The most directories the shares' watcher may watch: `configured` (shares.max_watches) when set, else 3/4 of
// the kernel's limit for root; 0 (no budget) when the limit cannot be read.
export function getWatchBudget(configured: number, limits: InotifyLimits | null): number {
  if (configured > 0) return configured;
  return limits === null ? 0 : Math.max(1, Math.floor(limits.maxUserWatches * defaultWatchShare));
}

// Keeps the watcher's budget in step with the kernel's limit (red team F9: one member making directories by
// the thousand used up root's watches, and every share's new directories went unwatched): read at start, every
// `everyMs`, and when a watch failed for want of room (the limit may have changed since).
export class ShareWatchBudget {
  readonly #watcher: ShareWatcher;
  readonly #configured: number;
  readonly #readLimits: () => Promise<InotifyLimits | null>;
  #timer: NodeJS.Timeout | null = null;
  #checking: Promise<void> | null = null;

  constructor(
    watcher: ShareWatcher,
    configured: number,
    readLimits: () => Promise<InotifyLimits | null>,
    everyMs: number,
  ) {
    this.#watcher = watcher;
    this.#configured = configured;
    this.#readLimits = readLimits;
    this.#timer = setInterval(() => void this.check(), everyMs).unref();
  }

  // Reads the limit again and gives the watcher its budget (one read at a time).
  check(): Promise<void> {
    this.#checking ??= (async () => {
      try {
        const limits = await this.#readLimits().catch(() => null);
        if (this.#timer !== null) this.#watcher.setWatchBudget(getWatchBudget(this.#configured, limits));
      } finally {
        this.#checking = null;
      }
    })();
    return this.#checking;
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }
}
