import type { DatabaseLine } from './database-lines.ts';

// A line in memory: as read, or (text null) an entry set since, formatted when the file is
// rendered, so that adding 10,000 members to a group one by one does not format its
// growing line 10,000 times.
type Line<T> = { text: string; entry: T | null } | { text: null; entry: T };

// The file's bytes as last written (or read): `chunks` in order, `size` bytes in all,
// covering positions [0, length) of the lines; `starts` (computed when first needed) the
// byte where each position's line starts, a hole taking none, and starts[length] = size.
interface RenderedBytes {
  chunks: Buffer[];
  size: number;
  length: number;
  starts: number[] | null;
}

// More pieces than this are joined into one buffer (a write takes one system call per piece).
const maxChunks = 32;

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
  #journal: (() => void)[] | null = null;
  // Positions whose line the journal already restores: later changes of the same line in
  // the transaction need no entry (a bulk add of 10,000 members would otherwise keep every
  // intermediate version of the group's line alive until the commit).
  readonly #saved = new Set<number>();
  // The bytes as last written, and the positions below their `length` changed since (true:
  // the position held a line then). A render copies the unchanged bytes by reference and
  // encodes only the changed and new lines: with 100,000 accounts, joining and encoding
  // every line cost 30–60 ms per file and change, and the write of one big string more.
  // A render inside a transaction is kept aside until the commit (a rollback keeps these).
  #bytes: RenderedBytes | null = null;
  readonly #dirty = new Map<number, boolean>();
  #pending: RenderedBytes | null = null;
  // The names set or deleted in the last transaction, and their entries before it.
  readonly changedNames = new Set<string>();
  readonly #previous = new Map<string, T | undefined>();

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
    this.#reindex();
    if (bytes !== undefined && (bytes.length === 0 || bytes[bytes.length - 1] === 10))
      this.#bytes = { chunks: [bytes], size: bytes.length, length: lines.length, starts: null };
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
    const cache = this.#bytes;
    if (cache === null || this.#journal !== null || this.#dirty.size > 0 || cache.length !== this.#lines.length)
      return null;
    return cache.chunks;
  }

  // Adds `lines`, parsed from `tail`: the whole lines the file now holds past its kept bytes
  // (getKeptBytes), in place. The 100,000 lines already known are neither split, compared
  // nor indexed again (an outside useradd at 100,000 accounts cost a second of withText and
  // diff), and `tail` is kept after the other bytes.
  appendLines(lines: readonly DatabaseLine<T>[], tail: Buffer): void {
    const cache = this.#bytes!;
    // starts[length] is the end of the known lines, where the first new one starts; each
    // new line's end is found in the bytes (a text decoded from invalid UTF-8 has another length).
    const starts = cache.starts;
    let end = 0;
    for (const line of lines) {
      const position = this.#lines.length;
      this.#lines.push(line);
      end = tail.indexOf(10, end) + 1;
      starts?.push(cache.size + end);
      if (this.#nis === -1 && (line.text.startsWith('+') || line.text.startsWith('-'))) this.#nis = position;
      if (!line.entry) continue;
      const name = this.#nameOf(line.entry);
      // The first entry of a name wins, as getpwnam(3) reads the file.
      if (this.#index.has(name)) this.#hasDuplicates = true;
      else this.#index.set(name, position);
    }
    const size = cache.size + tail.length;
    const chunks = tail.length === 0 ? cache.chunks : [...cache.chunks, tail];
    const joined = chunks.length > maxChunks ? [Buffer.concat(chunks, size)] : chunks;
    this.#bytes = { chunks: joined, size, length: this.#lines.length, starts };
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

  // The entry of a name as it was before the current (or last) transaction.
  getBefore(name: string): T | undefined {
    return this.#previous.has(name) ? this.#previous.get(name) : this.get(name);
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

  // Starts recording changes so that they can be undone.
  begin(): void {
    this.#journal = [];
    this.#saved.clear();
    this.changedNames.clear();
    this.#previous.clear();
  }

  // Keeps the changes (changedNames and getBefore stay until the next begin).
  commit(): void {
    this.#journal = null;
    this.#saved.clear();
    if (this.#pending) this.#adopt(this.#pending);
  }

  // Undoes every change since begin().
  rollback(): void {
    const journal = this.#journal ?? [];
    for (let step = journal.length - 1; step >= 0; step -= 1) journal[step]!();
    // The lines are back as they were; the positions changed stay marked (re-encoded to the
    // same bytes at the next render).
    this.#pending = null;
    this.#journal = null;
    this.#saved.clear();
    this.changedNames.clear();
    this.#previous.clear();
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
      this.#lines.push(line);
      this.#journal?.push(() => {
        this.#lines.pop();
        this.#index.delete(name);
      });
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
    const cache = this.#bytes;
    const next =
      cache === null || this.#dirty.size > Math.max(64, cache.length >> 4)
        ? this.#renderWhole()
        : (this.#renderChanges(cache) ?? this.#renderWhole());
    if (this.#journal) this.#pending = next;
    else this.#adopt(next);
    return next.chunks;
  }

  // The bytes to add at the end of the file as last written, when the transaction only
  // appended lines (a create), or null (something else changed: renderBytes). Taken as a
  // render: the file's next bytes are the last ones and these.
  // (`offset`: the size of the file as last written, where they go.)
  renderAppend(): { offset: number; bytes: Buffer } | null {
    const cache = this.#bytes;
    if (cache === null || this.#dirty.size > 0 || this.#lines.length === cache.length) return null;
    const next = this.#renderChanges(cache);
    if (next === null || next.added === null) return null;
    if (this.#journal) this.#pending = next;
    else this.#adopt(next);
    return { offset: cache.size, bytes: next.added };
  }

  #renderWhole(): RenderedBytes {
    const texts: string[] = [];
    for (const line of this.#lines) if (line) texts.push(this.#textOf(line));
    const bytes = Buffer.from(texts.length === 0 ? '' : `${texts.join('\n')}\n`, 'utf8');
    return { chunks: [bytes], size: bytes.length, length: this.#lines.length, starts: null };
  }

  // The last bytes with the changed positions spliced in and the new lines appended; null
  // when the bytes do not match the lines (then everything is rendered).
  // (`added`: the bytes of the new lines, the last piece.)
  #renderChanges(cache: RenderedBytes): (RenderedBytes & { added: Buffer | null }) | null {
    const chunks: Buffer[] = [];
    let starts: number[] | null = null;
    if (this.#dirty.size === 0) chunks.push(...cache.chunks);
    else {
      const base = cache.chunks.length === 1 ? cache.chunks[0]! : Buffer.concat(cache.chunks, cache.size);
      const old = cache.starts ?? this.#findStarts(base, cache.length);
      if (old === null) return null;
      const positions = [...this.#dirty.keys()].sort((a, b) => a - b);
      starts = new Array<number>(cache.length + 1);
      let shift = 0;
      let from = 0;
      let next = 0;
      for (const position of positions) {
        for (; next <= position; next += 1) starts[next] = old[next]! + shift;
        if (old[position]! > from) chunks.push(base.subarray(from, old[position]));
        const line = this.#lines[position];
        const bytes = line ? Buffer.from(`${this.#textOf(line)}\n`, 'utf8') : null;
        if (bytes) chunks.push(bytes);
        shift += (bytes?.length ?? 0) - (old[position + 1]! - old[position]!);
        from = old[position + 1]!;
      }
      for (; next <= cache.length; next += 1) starts[next] = old[next]! + shift;
      if (from < base.length) chunks.push(base.subarray(from));
    }
    // The lines added since (a create appends).
    const added: string[] = [];
    for (let position = cache.length; position < this.#lines.length; position += 1) {
      const line = this.#lines[position];
      if (line) added.push(this.#textOf(line));
    }
    const addedBytes = added.length > 0 ? Buffer.from(`${added.join('\n')}\n`, 'utf8') : null;
    if (addedBytes) chunks.push(addedBytes);
    let size = 0;
    for (const chunk of chunks) size += chunk.length;
    // Starts for the new positions only when few (a bulk create's are found again if needed).
    if (starts !== null && this.#lines.length - cache.length > 1000) starts = null;
    else if (starts !== null || cache.starts !== null) {
      starts ??= cache.starts!.slice();
      for (let position = cache.length; position < this.#lines.length; position += 1) {
        const line = this.#lines[position];
        starts.push(starts.at(-1)! + (line ? Buffer.byteLength(line.text!, 'utf8') + 1 : 0));
      }
      starts.pop();
      starts.push(size);
    }
    const joined = chunks.length > maxChunks ? [Buffer.concat(chunks, size)] : chunks;
    return { chunks: joined, size, length: this.#lines.length, starts, added: addedBytes };
  }

  // Where each position's line starts in `bytes` (the file as of the last render: a
  // position changed since counts as what it held then); null when they do not agree.
  #findStarts(bytes: Buffer, length: number): number[] | null {
    const starts = new Array<number>(length + 1);
    let offset = 0;
    for (let position = 0; position < length; position += 1) {
      starts[position] = offset;
      const held = this.#dirty.get(position) ?? this.#lines[position] !== null;
      if (!held) continue;
      const end = bytes.indexOf(10, offset);
      if (end === -1) return null;
      offset = end + 1;
    }
    starts[length] = offset;
    return offset === bytes.length ? starts : null;
  }

  #textOf(line: Line<T>): string {
    // Kept on the line: when the file is next read back (withText), the line is known by
    // its text and keeps its entry.
    if (line.text === null) (line as { text: string | null }).text = this.#format(line.entry);
    return line.text!;
  }

  #adopt(bytes: RenderedBytes): void {
    this.#bytes = bytes;
    this.#pending = null;
    this.#dirty.clear();
  }

  // Marks a position about to change (before it does: what it held is the bytes' state).
  #touch(position: number): void {
    if (this.#bytes !== null && position < this.#bytes.length && !this.#dirty.has(position))
      this.#dirty.set(position, this.#lines[position] !== null);
  }

  #remember(name: string): void {
    this.changedNames.add(name);
    if (!this.#previous.has(name)) this.#previous.set(name, this.get(name));
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

  #reindex(): void {
    // Lines moved: the bytes no longer match their positions.
    this.#bytes = null;
    this.#pending = null;
    this.#dirty.clear();
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
