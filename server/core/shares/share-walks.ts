import type { ShareRule, ShareWatchBatch, ShareWatcher } from './share-watcher.ts';

type Progress = ShareWatchBatch['progress'][number];

// The rules given to the watcher, and whose walk a progress report is. The watcher reports
// a share's walk as it stands, not which request started it: a repair asked while a walk of
// the share has not said its end yet would take that end for its own. Such a repair waits
// for that end, then starts.
export class ShareWalks {
  readonly #watcher: ShareWatcher;
  // The shares whose last walk has not said its end, and the repairs waiting for it.
  readonly #pending = new Set<number>();
  readonly #deferred = new Map<number, ShareRule>();
  readonly #paths = new Map<number, string>();
  // The last rule each share's watcher was given (JSON), to give a changed one at once.
  readonly #given = new Map<number, string>();

  constructor(watcher: ShareWatcher) {
    this.#watcher = watcher;
  }

  // Gives the watcher a share's rule (with `repair`: every entry corrected during the walk).
  send(rule: ShareRule, repair: boolean): void {
    // Another path (a rename): the watcher drops the share's walk, which says no end.
    if (this.#paths.get(rule.id) !== rule.path) {
      this.#pending.delete(rule.id);
      if (this.#deferred.delete(rule.id)) repair = true;
    }
    this.#paths.set(rule.id, rule.path);
    if (this.#deferred.has(rule.id) || (repair && this.#pending.has(rule.id))) {
      // The watcher holds the committed rule at once (what enters or changes is corrected
      // by it, not by the old one); only the repair of the whole tree waits.
      if (this.#given.get(rule.id) !== JSON.stringify(rule)) this.#give(rule, false);
      this.#deferred.set(rule.id, rule);
      return;
    }
    this.#pending.add(rule.id);
    this.#give(rule, repair);
  }

  // Unwatches a share.
  remove(id: number): void {
    this.#pending.delete(id);
    this.#deferred.delete(id);
    this.#paths.delete(id);
    this.#given.delete(id);
    this.#watcher.removeShare(id);
  }

  #give(rule: ShareRule, repair: boolean): void {
    this.#given.set(rule.id, JSON.stringify(rule));
    this.#watcher.setShareRule(rule, { repair });
  }

  // Stops a share's repair: the one waiting, and the walk running, which may be a repair too (asked twice: one
  // ran while the other waited; a cancel that only dropped the waiting one said cancelled and left the other
  // running). A walk that only watches goes on watching.
  cancel(id: number): void {
    this.#deferred.delete(id);
    this.#watcher.cancelShareRepair(id);
  }

  // Takes in a progress report; false when it is of a walk a repair waited for (which
  // starts now), not of the share's latest request.
  isLatest(progress: Progress): boolean {
    // (A cancelled repair's walk goes on watching: its end is `done`.)
    if (progress.done) this.#pending.delete(progress.id);
    const deferred = this.#deferred.get(progress.id);
    if (!deferred) return true;
    if (progress.done) {
      this.#deferred.delete(progress.id);
      this.send(deferred, true);
    }
    return false;
  }
}
