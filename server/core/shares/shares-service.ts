import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreError } from '../errors.ts';
import type { EventBus } from '../events/event-bus.ts';
import type { AccountsService } from '../accounts/accounts-service.ts';
import { getSharePath } from '../accounts/shared-directories.ts';
import { applyShareDirectoryAcl } from '../accounts/share-acls.ts';
import { quote } from '../accounts/validate-fields.ts';
import { getTerminalText } from '../text/terminal-text.ts';
import { getShareRule } from './share-rule.ts';
import { getRepairsJournalPath } from './share-repairs-journal.ts';
import { ShareRepairs, type ShareRepair } from './share-repairs.ts';
import { getInotifyLimitsWarning, readInotifyLimits, type InotifyLimits } from './inotify-limits.ts';
import { getStandardShares, type StandardShare } from './standard-shares.ts';
import { ShareLinks } from './share-links-sync.ts';
import { ShareDirectories } from './share-directories.ts';
import { ShareWatchBudget } from './share-watch-budget.ts';
import { ShareWalks } from './share-walks.ts';
import { ShareRoots } from './share-roots.ts';
import type { ShareWatchBatch, ShareWatcher, ShareWatchFigures, StartShareWatcher } from './share-watcher.ts';
import { quoted, say } from '../messages.ts';

export type { ShareRepair } from './share-repairs.ts';

export interface SharesServiceOptions {
  root: string;
  events: EventBus;
  accounts: AccountsService;
  startWatcher: StartShareWatcher;
  // Default: etc/licorn/share-repairs.json under the root.
  journalPath?: string;
  // Default: /proc/sys/fs/inotify (tests give their own numbers).
  readLimits?: () => Promise<InotifyLimits | null>;
  // How often a share whose directory went away is looked for again (default 10 s).
  recheckMs?: number;
  // The most directories watched (shares.max_watches; 0 or unset: 3/4 of fs.inotify.max_user_watches), and
  // how often the kernel's limit is read again (default a minute).
  maxWatches?: number;
  budgetCheckMs?: number;
  warn?: (message: string) => void;
}

// The watcher's figures, the repairs running and the shares in error (an error said, and no
// clean walk of the share since), for the daemon's status.
export interface SharesFigures extends ShareWatchFigures {
  repairs: number;
  erred: number;
}

// The shares of standard groups, held to their rule by the native watcher (share_watch.c):
// every share is given to the watcher at start and kept in step with the groups through the
// core's events (added; renamed: same GID, new path; deleted; permissive switched: repaired
// in the background, journaled so that a restart resumes it: share-repairs.ts), and members
// get their `~/G` links (share-links-sync.ts). The shares' own directories changed, moved or
// gone: share-roots.ts, share-directories.ts; the most directories watched:
// share-watch-budget.ts.
export class SharesService {
  readonly #options: SharesServiceOptions;
  readonly #warn: (message: string) => void;
  #startCorrected = false;
  // Repairs asked and not yet started, by group name.
  readonly #repairsAsked = new Map<string, Promise<void>>();
  readonly #repairs: ShareRepairs;
  readonly #links: ShareLinks;
  readonly #directories: ShareDirectories;
  #watcher!: ShareWatcher;
  #walks!: ShareWalks;
  #budget!: ShareWatchBudget;
  #roots!: ShareRoots;
  // The standard groups' shares, by GID (the watcher's id): name and members as last seen.
  #known = new Map<number, StandardShare>();
  // The first walks not yet done (the limits are checked once they are), and whether the
  // first reconcile is still giving the watcher every share.
  readonly #walking = new Set<number>();
  #starting = true;
  #limitsChecked = false;
  // Set once close() stopped the watcher.
  #closed = false;
  // The shares whose errors were said (further ones are not repeated), by GID: the batch of
  // the last error. A walk of the share that began after it and ends clean clears it.
  readonly #erred = new Map<number, number>();
  // Batches counted, and the batch each share's current walk was first reported in.
  #batches = 0;
  readonly #walkStarts = new Map<number, number>();
  #stops: (() => void)[] = [];
  #queue: Promise<unknown> = Promise.resolve();
  #reconcileQueued = false;
  // The warning the limits gave at start (null: none, or not checked yet).
  limitsWarning: string | null = null;

  private constructor(options: SharesServiceOptions) {
    this.#options = options;
    this.#warn = options.warn ?? ((message) => process.emitWarning(message));
    const journal = options.journalPath ?? getRepairsJournalPath(options.root);
    this.#repairs = new ShareRepairs(options.events, journal, this.#warn);
    this.#links = new ShareLinks(options.root, options.accounts, this.#warn);
    this.#directories = new ShareDirectories(() => this.#queueReconcile(), options.recheckMs ?? 10_000);
  }

  // Starts the watcher over every standard group's share, resumes the repairs the journal
  // holds, makes the members' links, and follows the groups from then on.
  static async open(options: SharesServiceOptions): Promise<SharesService> {
    const service = new SharesService(options);
    await service.#repairs.load();
    service.#watcher = options.startWatcher((batch) => service.#handleBatch(batch));
    service.#walks = new ShareWalks(service.#watcher);
    service.#roots = new ShareRoots({
      root: options.root,
      accounts: options.accounts,
      directories: service.#directories,
      walks: service.#walks,
      warn: service.#warn,
      getWatchedShare: (gid) => {
        const share = service.#known.get(gid);
        return share?.watched && !service.#closed ? share : undefined;
      },
      settle: () => service.settle(),
      enqueue: (task) => service.#enqueue(task),
      watch: (gid, name, repair, announce) => service.#watch(gid, name, repair, announce),
    });
    const { maxWatches = 0, readLimits = readInotifyLimits, budgetCheckMs = 60_000 } = options;
    service.#budget = new ShareWatchBudget(service.#watcher, maxWatches, readLimits, budgetCheckMs);
    void service.#budget.check();
    const { events } = options;
    const reconcile = () => service.#queueReconcile();
    service.#stops = [
      events.on('group-added', reconcile),
      events.on('group-removed', reconcile),
      events.on('group-members-changed', reconcile),
      events.on('group-changed', ({ data }) => {
        if (data.fields.includes('permissive')) service.#enqueueAndWarn(() => service.#startRepair(data.name));
      }),
    ];
    // An operation on the groups answers once its links are made and its repair started.
    options.accounts.setCommitFollower(() => service.settle());
    // A permissive switch journals its repair before it commits (a crash then resumes it).
    options.accounts.setShareRepairJournal({
      want: (gid, name) => service.#repairs.journalAhead(gid, name),
      forget: (gid) => service.#repairs.forgetAhead(gid),
    });
    await service.#enqueue(() => service.#reconcile(true));
    return service;
  }

  // The repair of a standard group's share running now, or null.
  getRepair(name: string): ShareRepair | null {
    const gid = this.#findGid(name);
    return gid === null ? null : this.#repairs.get(gid);
  }

  // Sets every entry of a standard group's share to its rule again, in the background
  // (progress: `group-share-progress`); idempotent, journaled until done. Queued after the
  // group changes heard so far (a group just made is watched first).
  repairShare(name: string): Promise<void> {
    // Asked again before it started, or while it runs: the same repair (each one queued would journal, spawn
    // setfacl and hold every group operation behind it).
    const asked = this.#repairsAsked.get(name);
    if (asked !== undefined) return asked;
    const gid = this.#findGid(name);
    if (gid !== null && this.#repairs.get(gid) !== null) return Promise.resolve();
    const repair = this.#enqueue(async () => {
      this.#repairsAsked.delete(name);
      if (this.#findGid(name) === null) {
        const message = say('shares.notWatched', { name: quoted(name) });
        throw new CoreError('not-found', message, { field: 'name' });
      }
      await this.#startRepair(name);
    });
    this.#repairsAsked.set(name, repair);
    return repair;
  }

  // Stops the repair of a share (it stays watched); said cancelled, and the journal
  // forgets it at once (a restart does not start again what was cancelled).
  cancelRepair(name: string): Promise<void> {
    return this.#enqueue(async () => {
      const gid = this.#findGid(name);
      if (gid === null || this.#repairs.get(gid) === null) {
        const message = say('shares.noRepair', { name: quoted(name) });
        throw new CoreError('not-found', message, { field: 'name' });
      }
      this.#walks.cancel(gid);
      this.#repairs.end(gid, true);
      await this.#repairs.settled();
    });
  }

  // The watcher's figures (watches, queued events, overflows, entries corrected) and the
  // repairs running.
  getFigures(): SharesFigures {
    return { ...this.#watcher.getFigures(), repairs: this.#repairs.count, erred: this.#erred.size };
  }

  // Waits for the group changes heard so far (links made or removed, watcher told).
  async settle(): Promise<void> {
    await this.#enqueue(async () => {});
    await this.#repairs.settled();
  }

  // Stops following the groups and stops the watcher; an unfinished repair stays in the
  // journal, started again at the next start.
  async close(): Promise<void> {
    for (const stop of this.#stops) stop();
    this.#stops = [];
    this.#options.accounts.setCommitFollower(null);
    this.#options.accounts.setShareRepairJournal(null);
    await this.settle();
    this.#closed = true;
    this.#directories.stop();
    this.#budget.stop();
    this.#watcher.stop();
  }

  #findGid(name: string): number | null {
    for (const [gid, share] of this.#known) if (share.name === name && share.watched) return gid;
    return null;
  }

  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => {});
    return run;
  }

  // Runs a task nobody waits for; its failure is said.
  #enqueueAndWarn(task: () => Promise<void>): void {
    this.#enqueue(task).catch((error: Error) => this.#warn(`shares: ${error.message}`));
  }

  // One reconcile for all the events of a transaction (they are emitted together).
  #queueReconcile(): void {
    if (this.#reconcileQueued) return;
    this.#reconcileQueued = true;
    this.#enqueueAndWarn(() => {
      this.#reconcileQueued = false;
      return this.#reconcile(false);
    });
  }

  // Brings the watcher and the links in step with the standard groups as the files are.
  async #reconcile(starting: boolean): Promise<void> {
    const now = getStandardShares(this.#options.accounts);
    for (const [gid, before] of this.#known) {
      if (now.has(gid)) continue;
      if (before.watched) this.#walks.remove(gid);
      this.#directories.forget(gid);
      this.#walking.delete(gid);
      await this.#links.removeAll(before.name, before.members);
    }
    const known = new Map<number, StandardShare>();
    for (const [gid, share] of now) {
      // One group the watcher refuses (a rule it cannot take) must not stop the others, nor the daemon's start.
      try {
        await this.#reconcileShare(gid, share, starting);
      } catch (error) {
        share.watched = false;
        this.#warn(`shares: the group ${JSON.stringify(share.name)} (GID ${gid}): ${(error as Error).message}`);
      }
      known.set(gid, share);
    }
    this.#known = known;
    // A repair whose share is gone (or was never there) is done with.
    this.#repairs.forgetAllBut(new Set([...known].filter(([, share]) => share.watched).map(([gid]) => gid)));
    if (!starting) return;
    this.#starting = false;
    if (this.#walking.size === 0) await this.#afterStartWalks();
  }

  // Watches one standard group's share if its directory is there and not yet watched, and brings its members'
  // links in step with the group.
  async #reconcileShare(gid: number, share: StandardShare, starting: boolean): Promise<void> {
    const before = this.#known.get(gid);
    const moved = before !== undefined && before.name !== share.name;
    share.watched = before?.watched === true && !moved;
    const path = join(this.#options.root, getSharePath(share.name));
    if (!share.watched && (await lstat(path).catch(() => null))?.isDirectory()) {
      // A directory back after it went away (restored): corrected as it is watched.
      const wanted = this.#repairs.isWanted(gid);
      const back = this.#directories.isGone(gid);
      await this.#watch(gid, share.name, wanted || back, wanted);
      if (starting) this.#walking.add(gid);
      share.watched = true;
      if (back) this.#warn(`shares: ${path}: the share's directory is back, watched again`);
      this.#directories.forget(gid);
    }
    if (before === undefined || moved) {
      if (moved) await this.#links.removeAll(before.name, before.members);
      await this.#links.makeAll(share.name, share.members);
      return;
    }
    await this.#links.removeAll(
      share.name,
      [...before.members].filter((login) => !share.members.has(login)),
    );
    await this.#links.makeAll(
      share.name,
      [...share.members].filter((login) => !before.members.has(login)),
    );
  }

  // Gives the watcher a share's rule (with `repair`: every entry corrected during the walk, said as a repair
  // with progress and journaled unless `announce` is false).
  async #watch(gid: number, name: string, repair: boolean, announce = repair): Promise<void> {
    const { accounts, root } = this.#options;
    const gids = accounts.getShareGids(name);
    if (gids === null) return;
    const permissive = (await accounts.getPermissive(name)) ?? false;
    await this.#directories.record(gid, join(root, getSharePath(name)));
    this.#walks.send(getShareRule(gid, join(root, getSharePath(name)), gids, permissive), repair);
    if (repair && announce) this.#repairs.begin(gid, name);
  }

  // A permissive switch: its transaction set the share's own directory, which the watcher,
  // under the rule committed before it, may have put back meanwhile. Once the watcher holds
  // the new rule, the directory is set again (the operation answers with it as committed);
  // the tree follows in the repair.
  async #startRepair(name: string): Promise<void> {
    const gid = this.#findGid(name);
    if (gid === null) return;
    await this.#repairs.want(gid, name);
    await this.#watch(gid, name, true);
    const { accounts, root } = this.#options;
    const gids = accounts.getShareGids(name);
    const permissive = await accounts.getPermissive(name);
    const share = join(root, getSharePath(name));
    if (gids === null || permissive === null || !(await lstat(share).catch(() => null))?.isDirectory()) return;
    await applyShareDirectoryAcl(share, gids, permissive).catch((error: Error) =>
      this.#warn(`shares: ${share}: ${error.message}`),
    );
  }

  #handleBatch(batch: ShareWatchBatch): void {
    this.#batches += 1;
    for (const error of batch.errors) {
      // The kernel's limit reached: it may have changed (a sysctl), and the budget with it.
      if (error.message.includes('max_user_watches')) void this.#budget.check();
      const said = this.#erred.has(error.id);
      this.#erred.set(error.id, this.#batches);
      if (said) continue;
      // A path holds names members chose: never a raw newline or escape in the log (a forged line).
      const path = getTerminalText(error.path);
      this.#warn(`shares: ${path}: ${error.message} (further errors of this share are not repeated)`);
    }
    for (const progress of batch.progress) {
      if (progress.done && this.#walking.delete(progress.id) && this.#walking.size === 0 && !this.#starting)
        void this.#afterStartWalks();
      if (this.#walks.isLatest(progress)) this.#repairs.update(progress);
      this.#followRecovery(progress);
    }
    for (const gid of batch.rootsChanged ?? []) {
      this.#roots.followChange(gid).catch((error: Error) => this.#warn(`shares: ${error.message}`));
    }
    for (const gid of batch.rootsMoved) {
      this.#roots.followMove(gid).catch((error: Error) => this.#warn(`shares: ${error.message}`));
    }
  }

  // Clears a share's error once a walk of it that began after its last error ends (every
  // directory watched and reached again): the watcher recovered, and a new error is said.
  #followRecovery(progress: ShareWatchBatch['progress'][number]): void {
    if (!this.#walkStarts.has(progress.id)) this.#walkStarts.set(progress.id, this.#batches);
    if (!progress.done) return;
    const started = this.#walkStarts.get(progress.id)!;
    this.#walkStarts.delete(progress.id);
    const erred = this.#erred.get(progress.id);
    // An error in the batch the walk was first reported in may be older than the walk.
    if (erred === undefined || erred >= started) return;
    this.#erred.delete(progress.id);
    const share = this.#known.get(progress.id);
    this.#warn(`shares: the share ${share ? quote(share.name) : progress.id} is watched without errors again`);
  }

  // Once the start's walks watch every share: what changed while the daemon was down is put right (the start's
  // walk only watches: a chmod made meanwhile stayed, red team F14). Each share is walked again correcting,
  // quietly (no progress, no journal: a stop during it does it again at the next start), unless a repair of it
  // is wanted already; then the limits are checked.
  async #afterStartWalks(): Promise<void> {
    if (this.#startCorrected) return;
    this.#startCorrected = true;
    for (const [gid, share] of this.#known)
      if (share.watched && !this.#repairs.isWanted(gid))
        this.#enqueueAndWarn(() => this.#watch(gid, share.name, true, false));
    await this.#checkLimits();
  }

  // Says once, at start, when the kernel's inotify limits are too low for the shares.
  async #checkLimits(): Promise<void> {
    if (this.#limitsChecked) return;
    this.#limitsChecked = true;
    const limits = await (this.#options.readLimits ?? readInotifyLimits)();
    // The service may have closed while the limits were read (a short-lived core): its
    // watcher is gone, and there is nothing left to warn about.
    if (limits === null || this.#closed) return;
    this.limitsWarning = getInotifyLimitsWarning(this.#watcher.getFigures().watches, limits);
    if (this.limitsWarning !== null) this.#warn(this.limitsWarning);
  }
}
