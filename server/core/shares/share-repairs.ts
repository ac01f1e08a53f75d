import type { EventBus } from '../events/event-bus.ts';
import { readRepairsJournal, writeRepairsJournal, type PendingRepair } from './share-repairs-journal.ts';
import type { ShareWatchBatch } from './share-watcher.ts';

// A repair running: how far it got, and when its progress was last said.
export interface ShareRepair {
  name: string;
  scanned: number;
  fixed: number;
  said: number;
}

// How often a repair's progress is said at most (and once more when it ends).
const progressEveryMs = 250;

// The repairs of shares' trees: running (their progress said as `group-share-progress`) and
// journaled until they end, so that a restart starts again those a stop interrupted.
export class ShareRepairs {
  readonly #events: EventBus;
  readonly #journalPath: string;
  readonly #warn: (message: string) => void;
  readonly #running = new Map<number, ShareRepair>();
  // The repairs not yet finished, as the journal has them (by GID).
  readonly #journal = new Map<number, PendingRepair>();
  #writing: Promise<void> = Promise.resolve();

  constructor(events: EventBus, journalPath: string, warn: (message: string) => void) {
    this.#events = events;
    this.#journalPath = journalPath;
    this.#warn = warn;
  }

  // Reads what the journal holds (repairs a stop interrupted).
  async load(): Promise<void> {
    for (const entry of await readRepairsJournal(this.#journalPath, this.#warn)) this.#journal.set(entry.gid, entry);
  }

  // Whether a share has a repair running or journaled (to start again).
  isWanted(gid: number): boolean {
    return this.#running.has(gid) || this.#journal.has(gid);
  }

  get(gid: number): ShareRepair | null {
    return this.#running.get(gid) ?? null;
  }

  get count(): number {
    return this.#running.size;
  }

  // Journals a repair to start (before the watcher is told).
  async want(gid: number, name: string): Promise<void> {
    this.#journal.set(gid, { gid, name });
    this.#running.delete(gid);
    await this.#save();
  }

  // Journals a repair ahead of a permissive switch's commit (a step of its transaction);
  // whether it was not journaled already (what the step's undo forgets).
  async journalAhead(gid: number, name: string): Promise<boolean> {
    if (this.#journal.has(gid)) return false;
    this.#journal.set(gid, { gid, name });
    // Not written: the switch is refused (a refused operation changes nothing).
    await this.#save(true).catch((error: Error) => {
      this.#journal.delete(gid);
      throw error;
    });
    return true;
  }

  // Forgets a repair journaled ahead of a switch that did not commit (unless it runs).
  async forgetAhead(gid: number): Promise<void> {
    if (this.#running.has(gid) || !this.#journal.delete(gid)) return;
    await this.#save();
  }

  // A repair the watcher was given: said started, or (a rename) its name follows.
  begin(gid: number, name: string): void {
    const running = this.#running.get(gid);
    if (running) {
      running.name = name;
      return;
    }
    this.#running.set(gid, { name, scanned: 0, fixed: 0, said: 0 });
    this.#say(gid, false, false);
    if (this.#journal.get(gid)?.name !== name) {
      this.#journal.set(gid, { gid, name });
      void this.#save();
    }
  }

  // Takes in the watcher's report of a share's walk.
  update(progress: ShareWatchBatch['progress'][number]): void {
    const running = this.#running.get(progress.id);
    if (!running) return;
    running.scanned = progress.scanned;
    running.fixed = progress.fixed;
    if (progress.done || progress.cancelled) this.end(progress.id, progress.cancelled);
    else if (Date.now() - running.said >= progressEveryMs) this.#say(progress.id, false, false);
  }

  // Ends a repair (done, or cancelled); the journal forgets it.
  end(gid: number, cancelled: boolean): void {
    if (this.#running.has(gid)) this.#say(gid, !cancelled, cancelled);
    this.#running.delete(gid);
    if (this.#journal.delete(gid)) void this.#save();
  }

  // Forgets the repairs of shares that are gone (their group deleted).
  forgetAllBut(gids: Set<number>): void {
    let changed = false;
    for (const gid of [...this.#journal.keys(), ...this.#running.keys()]) {
      if (gids.has(gid)) continue;
      this.#running.delete(gid);
      changed = this.#journal.delete(gid) || changed;
    }
    if (changed) void this.#save();
  }

  // Waits for the journal's writes.
  settled(): Promise<void> {
    return this.#writing;
  }

  #say(gid: number, done: boolean, cancelled: boolean): void {
    const running = this.#running.get(gid)!;
    running.said = Date.now();
    const { name, scanned, fixed } = running;
    this.#events.emit('group-share-progress', 'groups', { name, scanned, fixed, done, cancelled });
  }

  // Writes the journal as it is now (writes one after the other, the last one wins); a
  // failure is said, and with `strict` the returned promise rejects with it.
  #save(strict = false): Promise<void> {
    let failure: Error | null = null;
    const write = async () => {
      await writeRepairsJournal(this.#journalPath, [...this.#journal.values()]).catch((error: Error) => {
        failure = error;
        this.#warn(`${this.#journalPath}: ${error.message}`);
      });
    };
    this.#writing = this.#writing.then(write, write);
    if (!strict) return this.#writing;
    return this.#writing.then(() => {
      if (failure !== null) throw failure;
    });
  }
}
