import { FileBytes, type Line } from './database-bytes.ts';
import type { DatabaseLine } from './database-lines.ts';

// What a committed transaction changed in a file: the names set or deleted, and the entries
// before it of those that had one.
export interface FileChanges<T> {
  names: ReadonlySet<string>;
  before: ReadonlyMap<string, T>;
}

// A journal step undoing lines appended one after another from position `from`: one step
// for a bulk create's 100,000 lines instead of a closure each (megabytes kept to the commit).
class AppendRun {
  constructor(readonly from: number) {}
}

// One account database (passwd, shadow, group or gshadow) in memory: its lines in file
// order, untouched lines kept byte for byte, and an index by name. Entries are replaced,
// never mutated. Changes happen inside a transaction (begin, then commit or rollback) that
// keeps an undo journal and each changed name's previous entry, so that a change costs
// what it touches, not a copy of 10,000 lines (measured: 10–20 ms per change with copies).
// Deleted lines become holes until the next render, so a bulk delete stays linear.
export class DatabaseFile<T> {
  #lines: (Line<T> | null)[];
  #index: Map<string, number>;
  // Where the first NIS line (`+`/`-`) is, or -1: new entries go before it.
  #nis = -1;
  // Whether a name appears on two lines (a hand-edited file); deletes then look further.
  #hasDuplicates = false;
  readonly #nameOf: (entry: T) => string;
  readonly #format: (entry: T) => string;
  #journal: ((() => void) | AppendRun)[] | null = null;
  // Positions whose line the journal already restores: later changes of the same line in
  // the transaction need no entry (a bulk add of 10,000 members would otherwise keep every
  // intermediate version of the group's line alive until the commit).
  readonly #saved = new Set<number>();
  // The bytes as last written, spliced at the next render (database-bytes.ts).
  readonly #bytes: FileBytes<T>;
  // The names set or deleted in the transaction, and the entries before it of those that
  // had one (a new name has none: no entry per created account). Handed over at the
  // commit, not kept (a 100,000-row import's names were kept until the next transaction).
  #changed = new Set<string>();
  #previous = new Map<string, T>();

  // `bytes`: the file's content the lines were split from, when it ends with a newline
  // (or is empty): the next write splices it instead of rendering every line.
  constructor(
    lines: (DatabaseLine<T> | null)[],
    nameOf: (entry: T) => string,
    format: (entry: T) => string,
    bytes?: Buffer,
  ) {
    this.#lines = lines;
    this.#nameOf = nameOf;
    this.#format = format;
    this.#index = new Map();
    this.#buildIndex();
    this.#bytes = new FileBytes((line) => this.#textOf(line), bytes, lines.length);
  }

  // The file's next version from a new text (an outside change): a line whose text is
  // unchanged keeps its entry, the very same object, and only the other lines are parsed by
  // `parse`. After a useradd, 20,000 lines are looked at and one is parsed; and the diff
  // that follows can skip every entry that is the same object (it took 60 ms to parse and
  // compare everything at 10,000 accounts).
  withText(text: string, parse: (text: string) => DatabaseLine<T>[], bytes?: Buffer): DatabaseFile<T> {
    const texts = text.split('\n');
    if (texts.at(-1) === '') texts.pop();
    const old = this.#lines;
    let byText: Map<string, T | null> | null = null;
    const lines: DatabaseLine<T>[] = new Array(texts.length);
    const unknown: number[] = [];
    texts.forEach((line, position) => {
      const same = old[position];
      if (same && same.text === line) {
        lines[position] = { text: line, entry: same.entry };
        return;
      }
      // A line moved by an insertion or a deletion above it: found by its text.
      if (position < old.length) {
        byText ??= new Map(
          old.flatMap((known) => (known && known.text !== null ? [[known.text, known.entry] as const] : [])),
        );
        const entry = byText.get(line);
        if (entry !== undefined) {
          lines[position] = { text: line, entry };
          return;
        }
      }
      unknown.push(position);
    });
    if (unknown.length > 0) {
      const parsed = parse(`${unknown.map((position) => texts[position]).join('\n')}\n`);
      unknown.forEach((position, index) => {
        lines[position] = parsed[index]!;
      });
    }
    return new DatabaseFile(lines, this.#nameOf, this.#format, bytes);
  }

  // The bytes the lines were last read or written as, in order, while they still match the
  // lines (no transaction open, nothing changed since): a file that only grew by whole lines
  // past them (useradd, groupadd) is taken in by appendLines. Null otherwise.
  getKeptBytes(): readonly Buffer[] | null {
    return this.#journal === null ? this.#bytes.getKept(this.#lines.length) : null;
  }

  // Adds `lines`, parsed from `tail`: the whole lines the file now holds past its kept bytes
  // (getKeptBytes), in place. The 100,000 lines already known are neither split, compared
  // nor indexed again (an outside useradd at 100,000 accounts cost a second of withText and
  // diff), and `tail` is kept after the other bytes.
  appendLines(lines: readonly DatabaseLine<T>[], tail: Buffer): void {
    for (const line of lines) {
      const position = this.#lines.length;
      this.#lines.push(line);
      if (this.#nis === -1 && (line.text.startsWith('+') || line.text.startsWith('-'))) this.#nis = position;
      if (!line.entry) continue;
      const name = this.#nameOf(line.entry);
      // The first entry of a name wins, as getpwnam(3) reads the file.
      if (this.#index.has(name)) this.#hasDuplicates = true;
      else this.#index.set(name, position);
    }
    this.#bytes.append(tail, lines.length, this.#lines.length);
  }

  // An independent copy (a dry run works on one).
  clone(): DatabaseFile<T> {
    const lines = this.#lines
      .filter((line) => line !== null)
      .map((line) => ({ text: line.text ?? this.#format(line.entry!), entry: line.entry }));
    return new DatabaseFile(lines, this.#nameOf, this.#format);
  }

  get(name: string): T | undefined {
    const position = this.#index.get(name);
    return position === undefined ? undefined : this.#lines[position]!.entry!;
  }

  // The entry of a name as it was before the transaction open (outside one: get).
  getBefore(name: string): T | undefined {
    if (this.#previous.has(name)) return this.#previous.get(name);
    return this.#changed.has(name) ? undefined : this.get(name);
  }

  has(name: string): boolean {
    return this.#index.has(name);
  }

  get size(): number {
    return this.#index.size;
  }

  // Every entry, in file order (a duplicate name's later lines are kept but not listed).
  *entries(): IterableIterator<T> {
    // Without duplicates every entry is its name's: no lookup per line (at 100,000 accounts
    // the lookups were most of counting them, or of diffing the files after a useradd).
    const duplicates = this.#hasDuplicates;
    for (let position = 0; position < this.#lines.length; position += 1) {
      const entry = this.#lines[position]?.entry;
      if (entry && (!duplicates || this.#index.get(this.#nameOf(entry)) === position)) yield entry;
    }
  }

  // Calls `visit` with every entry, in file order, as entries() lists them, without an
  // iterator result per entry: counting 100,000 accounts at each useradd put 33 MiB in the
  // old generation over a pages bench (sampling heap profile), garbage to its next full collection.
  forEachEntry(visit: (entry: T) => void): void {
    const duplicates = this.#hasDuplicates;
    for (let position = 0; position < this.#lines.length; position += 1) {
      const entry = this.#lines[position]?.entry;
      if (entry && (!duplicates || this.#index.get(this.#nameOf(entry)) === position)) visit(entry);
    }
  }

  // The names set or deleted in the transaction open (none outside one).
  get changedNames(): ReadonlySet<string> {
    return this.#changed;
  }

  // Starts recording changes so that they can be undone.
  begin(): void {
    this.#journal = [];
    this.#forgetChanges();
  }

  // Keeps the changes, and hands over what changed (getBefore answers as get from now on).
  commit(): FileChanges<T> {
    const changes = { names: this.#changed, before: this.#previous };
    this.#journal = null;
    this.#forgetChanges();
    this.#bytes.commit();
    return changes;
  }

  // Undoes every change since begin().
  rollback(): void {
    const journal = this.#journal ?? [];
    for (let step = journal.length - 1; step >= 0; step -= 1) {
      const undo = journal[step]!;
      if (undo instanceof AppendRun) this.#truncate(undo.from);
      else undo();
    }
    this.#bytes.rollback();
    this.#journal = null;
    this.#forgetChanges();
  }

  // New maps rather than cleared ones: a bulk change's tables go with them.
  #forgetChanges(): void {
    this.#saved.clear();
    if (this.#changed.size > 0) this.#changed = new Set();
    if (this.#previous.size > 0) this.#previous = new Map();
  }

  // Adds or replaces the entry of its name. New entries go before the first NIS line,
  // where shadow-utils puts them.
  set(entry: T): void {
    const name = this.#nameOf(entry);
    this.#remember(name);
    const line: Line<T> = { text: null, entry };
    const position = this.#index.get(name);
    if (position !== undefined) {
      const old = this.#lines[position]!;
      this.#touch(position);
      this.#lines[position] = line;
      if (this.#journal && !this.#saved.has(position)) {
        this.#saved.add(position);
        this.#journal.push(() => {
          this.#lines[position] = old;
        });
      }
    } else if (this.#nis === -1) {
      this.#index.set(name, this.#lines.length);
      // Another line after the last step's appended ones: that step undoes it too.
      if (this.#journal && !(this.#journal.at(-1) instanceof AppendRun))
        this.#journal.push(new AppendRun(this.#lines.length));
      this.#lines.push(line);
    } else {
      this.#saveWhole();
      this.#lines.splice(this.#nis, 0, line);
      this.#reindex();
    }
  }

  // Replaces the entry of `oldName` in place by one with another name (a rename keeps the
  // line where it was, as usermod -l and groupmod -n do).
  rename(oldName: string, entry: T): void {
    const position = this.#index.get(oldName);
    if (position === undefined) throw new Error(`rename: no entry named ${oldName}`);
    const name = this.#nameOf(entry);
    this.#remember(oldName);
    this.#remember(name);
    const old = this.#lines[position]!;
    this.#touch(position);
    this.#lines[position] = { text: null, entry };
    if (name !== oldName && this.#index.has(name)) this.#hasDuplicates = true;
    this.#index.delete(oldName);
    this.#index.set(name, position);
    this.#journal?.push(() => {
      this.#lines[position] = old;
      this.#index.delete(name);
      this.#index.set(oldName, position);
    });
  }

  // Removes the entry of a name; returns whether there was one.
  delete(name: string): boolean {
    const position = this.#index.get(name);
    if (position === undefined) return false;
    this.#remember(name);
    const old = this.#lines[position]!;
    this.#touch(position);
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
    this.#journal?.push(() => {
      this.#lines[position] = old;
      this.#index.set(name, position);
    });
    return true;
  }

  // The file's text: untouched lines exactly as read.
  render(): string {
    const chunks = this.renderBytes();
    return Buffer.concat(chunks).toString('utf8');
  }

  // The file's bytes, in pieces to write one after another (the unchanged runs of the last
  // version, by reference, and the changed and new lines).
  renderBytes(): readonly Buffer[] {
    return this.#bytes.render(this.#lines, this.#journal !== null);
  }

  // The bytes to add at the end of the file as last written, when the transaction only
  // appended lines (a create), or null (something else changed: renderBytes). Taken as a
  // render: the file's next bytes are the last ones and these.
  // (`offset`: the size of the file as last written, where they go.)
  renderAppend(): { offset: number; bytes: Buffer } | null {
    return this.#bytes.renderAppend(this.#lines, this.#journal !== null);
  }

  #textOf(line: Line<T>): string {
    // Kept on the line: when the file is next read back (withText), the line is known by
    // its text and keeps its entry.
    if (line.text === null) (line as { text: string | null }).text = this.#format(line.entry);
    return line.text!;
  }

  // Marks a position about to change (before it does: what it held is the bytes' state).
  #touch(position: number): void {
    this.#bytes.touch(position, this.#lines[position] !== null);
  }

  // (Only inside a transaction: a dry run's copy changes without one, and nothing reads it.)
  #remember(name: string): void {
    if (this.#journal === null || this.#changed.has(name)) return;
    this.#changed.add(name);
    const entry = this.get(name);
    if (entry !== undefined) this.#previous.set(name, entry);
  }

  // Undoes an AppendRun: the lines from `from` on (each its name's: a later change of one
  // was journaled after the run, and is undone by now) go with their names.
  #truncate(from: number): void {
    for (let position = this.#lines.length - 1; position >= from; position -= 1)
      this.#index.delete(this.#nameOf(this.#lines[position]!.entry!));
    this.#lines.length = from;
  }

  // Before a change that moves lines (an insertion before NIS lines, rare), the journal
  // keeps the whole file once.
  #saveWhole(): void {
    if (!this.#journal) return;
    const lines = this.#lines.slice();
    this.#journal.push(() => {
      this.#lines = lines;
      this.#reindex();
    });
  }

  // Lines moved: the bytes no longer match their positions.
  #reindex(): void {
    this.#bytes.forget();
    this.#buildIndex();
  }

  #buildIndex(): void {
    this.#index.clear();
    this.#nis = -1;
    this.#lines.forEach((line, position) => {
      if (!line) return;
      if (this.#nis === -1 && line.text !== null && (line.text.startsWith('+') || line.text.startsWith('-')))
        this.#nis = position;
      if (!line.entry) return;
      // The first entry of a name wins, as getpwnam(3) reads the file.
      if (this.#index.has(this.#nameOf(line.entry))) this.#hasDuplicates = true;
      else this.#index.set(this.#nameOf(line.entry), position);
    });
  }
}
