// Gathers the names that changed during one turn of the event loop, then hands them over
// once: a burst of events (a bulk import, a shell loop, a group created with its helpers)
// costs one render per name and one frame per topic, not one per event.
export class TurnBatch {
  readonly #flush: (added: Set<string>, changed: Set<string>) => Promise<void>;
  #added = new Set<string>();
  #changed = new Set<string>();
  #scheduled = false;

  constructor(flush: (added: Set<string>, changed: Set<string>) => Promise<void>) {
    this.#flush = flush;
  }

  // A name that appeared.
  add(name: string): void {
    this.#added.add(name);
    this.#schedule();
  }

  // A name that changed, or went (the flush finds it gone).
  change(name: string): void {
    this.#changed.add(name);
    this.#schedule();
  }

  // A name that went: if it also appeared in this turn, it is only a change.
  remove(name: string): void {
    this.#added.delete(name);
    this.change(name);
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      const added = this.#added;
      const changed = this.#changed;
      this.#added = new Set();
      this.#changed = new Set();
      void this.#flush(added, changed);
    });
  }
}
