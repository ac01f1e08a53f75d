import type { DatabaseLine } from './database-lines.ts';
import { renderDatabaseLines } from './database-lines.ts';

// One account database (passwd, shadow, group or gshadow) in memory: its lines in file
// order, untouched lines kept byte for byte, and an index by name. Entries are replaced,
// never mutated. A clone shares the lines and the index until either side first changes
// (copy on write): cloning 10,000 lines four times per change cost 10–20 ms. Deleted
// lines become holes until the next render, so a bulk delete stays linear.
export class DatabaseFile<T> {
  #lines: (DatabaseLine<T> | null)[];
  #index: Map<string, number>;
  // Where the first NIS line (`+`/`-`) is, or -1: new entries go before it.
  #nis: number;
  // Whether a name appears on two lines (a hand-edited file); deletes then look further.
  #hasDuplicates = false;
  // The names set or deleted since this copy was made: what to write and what to diff.
  readonly changedNames = new Set<string>();
  // Whether #lines and #index are shared with a clone and must be copied before a change.
  #shared = false;
  readonly #nameOf: (entry: T) => string;
  readonly #format: (entry: T) => string;

  constructor(lines: (DatabaseLine<T> | null)[], nameOf: (entry: T) => string, format: (entry: T) => string,
    index?: Map<string, number>, nis?: number) {
    this.#lines = lines;
    this.#nameOf = nameOf;
    this.#format = format;
    this.#index = index ?? new Map();
    this.#nis = nis ?? -1;
    if (!index) this.#reindex();
  }

  // A copy to change without touching this one.
  clone(): DatabaseFile<T> {
    const copy = new DatabaseFile(this.#lines, this.#nameOf, this.#format, this.#index, this.#nis);
    copy.#hasDuplicates = this.#hasDuplicates;
    copy.#shared = true;
    this.#shared = true;
    return copy;
  }

  #own(): void {
    if (!this.#shared) return;
    this.#lines = this.#lines.slice();
    this.#index = new Map(this.#index);
    this.#shared = false;
  }

  get(name: string): T | undefined {
    const position = this.#index.get(name);
    return position === undefined ? undefined : this.#lines[position]!.entry!;
  }

  has(name: string): boolean {
    return this.#index.has(name);
  }

  get size(): number {
    return this.#index.size;
  }

  // Every entry, in file order (a duplicate name's later lines are kept but not listed).
  *entries(): IterableIterator<T> {
    for (let position = 0; position < this.#lines.length; position += 1) {
      const entry = this.#lines[position]?.entry;
      if (entry && this.#index.get(this.#nameOf(entry)) === position) yield entry;
    }
  }

  // Adds or replaces the entry of its name. New entries go before the first NIS line,
  // where shadow-utils puts them.
  set(entry: T): void {
    this.#own();
    const name = this.#nameOf(entry);
    this.changedNames.add(name);
    const line = { text: this.#format(entry), entry };
    const position = this.#index.get(name);
    if (position !== undefined) {
      this.#lines[position] = line;
    } else if (this.#nis === -1) {
      this.#index.set(name, this.#lines.length);
      this.#lines.push(line);
    } else {
      this.#lines.splice(this.#nis, 0, line);
      // Only the lines from the NIS one on moved.
      for (let moved = this.#nis + 1; moved < this.#lines.length; moved += 1) {
        const movedEntry = this.#lines[moved]?.entry;
        if (movedEntry && this.#index.get(this.#nameOf(movedEntry)) === moved - 1) this.#index.set(this.#nameOf(movedEntry), moved);
      }
      this.#index.set(name, this.#nis);
      this.#nis += 1;
    }
  }

  // Replaces the entry of `oldName` in place by one with another name (a rename keeps the
  // line where it was, as usermod -l and groupmod -n do).
  rename(oldName: string, entry: T): void {
    const position = this.#index.get(oldName);
    if (position === undefined) throw new Error(`rename: no entry named ${oldName}`);
    this.#own();
    const name = this.#nameOf(entry);
    this.changedNames.add(oldName).add(name);
    this.#lines[position] = { text: this.#format(entry), entry };
    this.#index.delete(oldName);
    this.#index.set(name, position);
  }

  // Removes the entry of a name; returns whether there was one.
  delete(name: string): boolean {
    const position = this.#index.get(name);
    if (position === undefined) return false;
    this.#own();
    this.changedNames.add(name);
    this.#lines[position] = null;
    this.#index.delete(name);
    // A later duplicate of the name, if any, now answers for it.
    for (let later = position + 1; this.#hasDuplicates && later < this.#lines.length; later += 1) {
      const entry = this.#lines[later]?.entry;
      if (entry && this.#nameOf(entry) === name) {
        this.#index.set(name, later);
        break;
      }
    }
    return true;
  }

  // The file's text: untouched lines exactly as read.
  render(): string {
    return renderDatabaseLines(this.#lines.filter((line): line is DatabaseLine<T> => line !== null));
  }

  #reindex(): void {
    this.#index.clear();
    this.#nis = -1;
    this.#lines.forEach((line, position) => {
      if (!line) return;
      if (this.#nis === -1 && (line.text.startsWith('+') || line.text.startsWith('-'))) this.#nis = position;
      if (!line.entry) return;
      // The first entry of a name wins, as getpwnam(3) reads the file.
      if (this.#index.has(this.#nameOf(line.entry))) this.#hasDuplicates = true;
      else this.#index.set(this.#nameOf(line.entry), position);
    });
  }
}
