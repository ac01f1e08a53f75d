import type { DatabaseLine } from './database-lines.ts';
import { renderDatabaseLines } from './database-lines.ts';

// One account database (passwd, shadow, group or gshadow) in memory: its lines in file
// order, untouched lines kept byte for byte, and an index by name. Entries are replaced,
// never mutated, so a clone shares them safely (copy-on-write snapshots for diffs).
export class DatabaseFile<T> {
  #lines: DatabaseLine<T>[];
  #index: Map<string, number>;
  readonly #nameOf: (entry: T) => string;
  readonly #format: (entry: T) => string;

  constructor(lines: DatabaseLine<T>[], nameOf: (entry: T) => string, format: (entry: T) => string, index?: Map<string, number>) {
    this.#lines = lines;
    this.#nameOf = nameOf;
    this.#format = format;
    this.#index = index ?? new Map();
    if (!index) this.#reindex();
  }

  // A copy to change without touching this one.
  clone(): DatabaseFile<T> {
    return new DatabaseFile(this.#lines.slice(), this.#nameOf, this.#format, new Map(this.#index));
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

  // Every entry, in file order.
  *entries(): IterableIterator<T> {
    for (let position = 0; position < this.#lines.length; position += 1) {
      const entry = this.#lines[position]!.entry;
      if (entry && this.#index.get(this.#nameOf(entry)) === position) yield entry;
    }
  }

  // Adds or replaces the entry of its name. New entries go before the first NIS line
  // (`+`/`-`), where shadow-utils puts them.
  set(entry: T): void {
    const line = { text: this.#format(entry), entry };
    const position = this.#index.get(this.#nameOf(entry));
    if (position !== undefined) {
      this.#lines[position] = line;
      return;
    }
    const nis = this.#lines.findIndex((candidate) => candidate.text.startsWith('+') || candidate.text.startsWith('-'));
    if (nis === -1) {
      this.#index.set(this.#nameOf(entry), this.#lines.length);
      this.#lines.push(line);
      return;
    }
    this.#lines.splice(nis, 0, line);
    this.#reindex();
  }

  // Removes the entry of a name; returns whether there was one.
  delete(name: string): boolean {
    const position = this.#index.get(name);
    if (position === undefined) return false;
    this.#lines.splice(position, 1);
    this.#reindex();
    return true;
  }

  // The file's text: untouched lines exactly as read.
  render(): string {
    return renderDatabaseLines(this.#lines);
  }

  #reindex(): void {
    this.#index.clear();
    this.#lines.forEach((line, position) => {
      // The first entry of a name wins, as getpwnam(3) reads the file.
      if (line.entry && !this.#index.has(this.#nameOf(line.entry))) this.#index.set(this.#nameOf(line.entry), position);
    });
  }
}
