import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreError } from '../errors.ts';
import type { EventBus } from '../events/event-bus.ts';
import type { AccountsService } from '../accounts/accounts-service.ts';
import { getSharePath } from '../accounts/shared-directories.ts';
import { quote } from '../accounts/validate-fields.ts';
import { getShareRule } from './share-rule.ts';
import {
  getRepairsJournalPath,
  readRepairsJournal,
  writeRepairsJournal,
  type PendingRepair,
} from './share-repairs-journal.ts';
import { getInotifyLimitsWarning, readInotifyLimits, type InotifyLimits } from './inotify-limits.ts';
import { getStandardShares, type StandardShare } from './standard-shares.ts';
import { ShareLinks } from './share-links-sync.ts';
import type { ShareWatchBatch, ShareWatcher, ShareWatchFigures, StartShareWatcher } from './share-watcher.ts';

export interface SharesServiceOptions {
  root: string;
  events: EventBus;
  accounts: AccountsService;
  startWatcher: StartShareWatcher;
  // Default: etc/licorn/share-repairs.json under the root.
  journalPath?: string;
  // Default: /proc/sys/fs/inotify (tests give their own numbers).
  readLimits?: () => Promise<InotifyLimits | null>;
  warn?: (message: string) => void;
}

// A repair running: how far it got, and when its progress was last said.
export interface ShareRepair {
  name: string;
  scanned: number;
  fixed: number;
  said: number;
}

// The watcher's figures and the repairs running, for the daemon's status.
export interface SharesFigures extends ShareWatchFigures {
  repairs: number;
}

// How often a repair's progress is said at most (and once more when it ends).
const progressEveryMs = 250;

// The shares of standard groups, held to their rule by the native watcher (share_watch.c):
// every share is given to the watcher at start and kept in step with the groups through the
// core's events (added, renamed: same GID, new path; deleted; permissive switched: repaired
// in the background, journaled so that a restart resumes it), and members get their `~/G`
// links (share-links-sync.ts).
export class SharesService {
  readonly #options: SharesServiceOptions;
  readonly #journalPath: string;
  readonly #warn: (message: string) => void;
  #watcher!: ShareWatcher;
  // The shares watched, by GID (the watcher's id): name and members as last seen.
  #known = new Map<number, StandardShare>();
  readonly #repairs = new Map<number, ShareRepair>();
  // The repairs not yet finished, as the journal has them (by GID).
  readonly #journal = new Map<number, PendingRepair>();
  // The first walks not yet done: the limits are checked once they are.
  readonly #walking = new Set<number>();
  readonly #links: ShareLinks;
  readonly #erred = new Set<number>();
  #stops: (() => void)[] = [];
  #queue: Promise<unknown> = Promise.resolve();
  #journalWrite: Promise<void> = Promise.resolve();
  #reconcileQueued = false;
  #fixed = 0;
  #limitsChecked = false;
  // The warning the limits gave at start (null: none, or not checked yet).
  limitsWarning: string | null = null;

  private constructor(options: SharesServiceOptions) {
    this.#options = options;
    this.#journalPath = options.journalPath ?? getRepairsJournalPath(options.root);
    this.#warn = options.warn ?? ((message) => process.emitWarning(message));
    this.#links = new ShareLinks(options.root, options.accounts, this.#warn);
  }

  // Starts the watcher over every standard group's share, resumes the repairs the journal
  // holds, makes the members' links, and follows the groups from then on.
  static async open(options: SharesServiceOptions): Promise<SharesService> {
    const service = new SharesService(options);
    for (const entry of await readRepairsJournal(service.#journalPath, service.#warn))
      service.#journal.set(entry.gid, entry);
    service.#watcher = options.startWatcher((batch) => service.#handleBatch(batch));
    const { events } = options;
    const reconcile = () => service.#queueReconcile();
    service.#stops = [
      events.on('group-added', reconcile),
      events.on('group-removed', reconcile),
      events.on('group-members-changed', reconcile),
      events.on('group-changed', ({ data }) => {
        if (data.fields.includes('permissive')) void service.#enqueue(() => service.#startRepair(data.name));
      }),
    ];
    await service.#enqueue(() => service.#reconcile(true));
    return service;
  }

  // The repair of a standard group's share running now, or null.
  getRepair(name: string): ShareRepair | null {
    const gid = this.#findGid(name);
    return gid === null ? null : (this.#repairs.get(gid) ?? null);
  }

  // Sets every entry of a standard group's share to its rule again, in the background
  // (progress: `group-share-progress`); idempotent, journaled until done.
  async repairShare(name: string): Promise<void> {
    if (this.#findGid(name) === null) {
      throw new CoreError('not-found', `The group ${quote(name)} has no shared directory being watched`, {
        field: 'name',
      });
    }
    await this.#enqueue(() => this.#startRepair(name));
  }

  // Stops the repair of a share (it stays watched); the journal forgets it.
  async cancelRepair(name: string): Promise<void> {
    const gid = this.#findGid(name);
    if (gid === null || !this.#repairs.has(gid)) {
      throw new CoreError('not-found', `No repair of the share of group ${quote(name)} is running`, {
        field: 'name',
      });
    }
    this.#watcher.cancelShareRepair(gid);
    this.#journal.delete(gid);
    await this.#saveJournal();
  }

  // The watcher's figures (watches, queued events, overflows, entries corrected) and the
  // repairs running.
  getFigures(): SharesFigures {
    return { ...this.#watcher.getFigures(), repairs: this.#repairs.size };
  }

  // Waits for the group changes heard so far (links made or removed, watcher told).
  async settle(): Promise<void> {
    await this.#enqueue(async () => {});
    await this.#journalWrite;
  }

  // Stops following the groups and stops the watcher; an unfinished repair stays in the
  // journal, resumed at the next start.
  async close(): Promise<void> {
    for (const stop of this.#stops) stop();
    this.#stops = [];
    await this.settle();
    this.#watcher.stop();
  }

  #findGid(name: string): number | null {
    for (const [gid, share] of this.#known) if (share.name === name && share.watched) return gid;
    return null;
  }

  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch((error: Error) => this.#warn(`shares: ${error.message}`));
    return run;
  }

  // One reconcile for all the events of a transaction (they are emitted together).
  #queueReconcile(): void {
    if (this.#reconcileQueued) return;
    this.#reconcileQueued = true;
    void this.#enqueue(() => {
      this.#reconcileQueued = false;
      return this.#reconcile(false);
    });
  }

  // Brings the watcher and the links in step with the standard groups as the files are.
  async #reconcile(starting: boolean): Promise<void> {
    const { accounts, root } = this.#options;
    const now = getStandardShares(accounts);
    for (const [gid, before] of this.#known) {
      if (now.has(gid)) continue;
      if (before.watched) this.#watcher.removeShare(gid);
      this.#repairs.delete(gid);
      this.#walking.delete(gid);
      if (this.#journal.delete(gid)) await this.#saveJournal();
      await this.#links.removeAll(before.name, before.members);
    }
    const known = new Map<number, StandardShare>();
    for (const [gid, share] of now) {
      const before = this.#known.get(gid);
      const moved = before !== undefined && before.name !== share.name;
      share.watched = before?.watched === true && !moved;
      if (!share.watched && (await isShareDirectory(join(root, getSharePath(share.name))))) {
        const pending = this.#journal.get(gid);
        if (pending && pending.name !== share.name) this.#journal.set(gid, { gid, name: share.name });
        await this.#watch(gid, share.name, pending !== undefined || this.#repairs.has(gid));
        if (starting) this.#walking.add(gid);
        share.watched = true;
      }
      if (before === undefined || moved) {
        if (moved) await this.#links.removeAll(before.name, before.members);
        await this.#links.makeAll(share.name, share.members);
      } else {
        await this.#links.removeAll(
          share.name,
          [...before.members].filter((login) => !share.members.has(login)),
        );
        await this.#links.makeAll(
          share.name,
          [...share.members].filter((login) => !before.members.has(login)),
        );
      }
      known.set(gid, share);
    }
    this.#known = known;
    // A journal entry whose group is gone is done with.
    let dropped = false;
    for (const gid of this.#journal.keys()) if (!known.get(gid)?.watched) dropped = this.#journal.delete(gid);
    if (dropped) await this.#saveJournal();
    if (starting && this.#walking.size === 0) await this.#checkLimits();
  }

  // Gives the watcher a share's rule (with `repair`: every entry corrected during the walk).
  async #watch(gid: number, name: string, repair: boolean): Promise<void> {
    const { accounts, root } = this.#options;
    const gids = accounts.getShareGids(name);
    if (gids === null) return;
    const permissive = (await accounts.getPermissive(name)) ?? false;
    this.#watcher.setShareRule(getShareRule(gid, join(root, getSharePath(name)), gids, permissive), { repair });
    if (repair && !this.#repairs.has(gid)) {
      this.#repairs.set(gid, { name, scanned: 0, fixed: 0, said: 0 });
      this.#sayProgress(gid, false, false);
    } else if (repair) this.#repairs.get(gid)!.name = name;
  }

  async #startRepair(name: string): Promise<void> {
    const gid = this.#findGid(name);
    if (gid === null) return;
    this.#journal.set(gid, { gid, name });
    await this.#saveJournal();
    this.#repairs.delete(gid);
    await this.#watch(gid, name, true);
  }

  #handleBatch(batch: ShareWatchBatch): void {
    this.#fixed += batch.fixed;
    for (const progress of batch.progress) {
      const finished = progress.done || progress.cancelled;
      if (finished && this.#walking.delete(progress.id) && this.#walking.size === 0) void this.#checkLimits();
      const repair = this.#repairs.get(progress.id);
      if (!repair) continue;
      repair.scanned = progress.scanned;
      repair.fixed = progress.fixed;
      if (finished) {
        this.#sayProgress(progress.id, progress.done, progress.cancelled);
        this.#repairs.delete(progress.id);
        if (this.#journal.delete(progress.id)) void this.#saveJournal();
      } else if (Date.now() - repair.said >= progressEveryMs) this.#sayProgress(progress.id, false, false);
    }
    for (const error of batch.errors) {
      if (this.#erred.has(error.id)) continue;
      this.#erred.add(error.id);
      this.#warn(`shares: ${error.path}: ${error.message} (further errors of this share are not repeated)`);
    }
  }

  #sayProgress(gid: number, done: boolean, cancelled: boolean): void {
    const repair = this.#repairs.get(gid)!;
    repair.said = Date.now();
    const { name, scanned, fixed } = repair;
    this.#options.events.emit('group-share-progress', 'groups', { name, scanned, fixed, done, cancelled });
  }

  // Says once, at start, when the kernel's inotify limits are too low for the shares.
  async #checkLimits(): Promise<void> {
    if (this.#limitsChecked) return;
    this.#limitsChecked = true;
    const limits = await (this.#options.readLimits ?? readInotifyLimits)();
    if (limits === null) return;
    this.limitsWarning = getInotifyLimitsWarning(this.#watcher.getFigures().watches, limits);
    if (this.limitsWarning !== null) this.#warn(this.limitsWarning);
  }

  // Writes the journal as it is now (writes one after the other, the last one wins).
  #saveJournal(): Promise<void> {
    const write = async () => {
      await writeRepairsJournal(this.#journalPath, [...this.#journal.values()]).catch((error: Error) =>
        this.#warn(`${this.#journalPath}: ${error.message}`),
      );
    };
    this.#journalWrite = this.#journalWrite.then(write, write);
    return this.#journalWrite;
  }
}

// A share to watch is a real directory (never a symlink put in its place).
async function isShareDirectory(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => null))?.isDirectory() === true;
}
