// The bytes of an account database file (database-file.ts) as last written or read, and
// which of its line positions changed since: a render copies the unchanged bytes by
// reference and encodes only the changed and new lines. With 100,000 accounts, joining and
// encoding every line cost 30–60 ms per file and change, and the write of one big string more.

// A line in memory: as read, or (text null) an entry set since, formatted when the file is
// rendered, so that adding 10,000 members to a group one by one does not format its
// growing line 10,000 times.
export type Line<T> = { text: string; entry: T | null } | { text: null; entry: T };

// The file's bytes: `chunks` in order, `size` bytes in all, covering positions [0, length)
// of the lines; `starts` (computed when first needed) the byte where each position's line
// starts, a hole taking none, and starts[length] = size.
interface RenderedBytes {
  chunks: Buffer[];
  size: number;
  length: number;
  starts: number[] | null;
}

// More pieces than this are joined into one buffer (a write takes one system call per piece).
const maxChunks = 32;

// The bytes kept for one file, the positions changed since (true: the position held a line
// then), and a render made inside a transaction, kept aside until the commit (a rollback
// keeps the bytes as they were).
export class FileBytes<T> {
  #bytes: RenderedBytes | null = null;
  readonly #dirty = new Map<number, boolean>();
  #pending: RenderedBytes | null = null;
  readonly #textOf: (line: Line<T>) => string;

  // `bytes`: the content the `length` lines were split from, kept only when it ends with a
  // newline (or is empty).
  constructor(textOf: (line: Line<T>) => string, bytes: Buffer | undefined, length: number) {
    this.#textOf = textOf;
    if (bytes !== undefined && (bytes.length === 0 || bytes[bytes.length - 1] === 10))
      this.#bytes = { chunks: [bytes], size: bytes.length, length, starts: null };
  }

  // The bytes kept, while they are the `length` lines' (nothing changed since); null otherwise.
  getKept(length: number): readonly Buffer[] | null {
    const cache = this.#bytes;
    return cache === null || this.#dirty.size > 0 || cache.length !== length ? null : cache.chunks;
  }

  // Takes `tail`, the bytes of `count` whole lines appended to the file (now `length` lines).
  append(tail: Buffer, count: number, length: number): void {
    const cache = this.#bytes!;
    // starts[length] is the end of the known lines, where the first new one starts; each
    // new line's end is found in the bytes (a text decoded from invalid UTF-8 has another length).
    const starts = cache.starts;
    let end = 0;
    for (let line = 0; line < count; line += 1) {
      end = tail.indexOf(10, end) + 1;
      starts?.push(cache.size + end);
    }
    const size = cache.size + tail.length;
    const chunks = tail.length === 0 ? cache.chunks : [...cache.chunks, tail];
    // Past the limit the appended pieces are joined, not the file read first: at 100,000
    // accounts every 32nd useradd copied its 10 MB, and the old copy stayed outside the heap
    // until V8's next full collection (+10 MiB of RSS over the pages bench's useradds).
    // The first piece is joined too when it is a small view of a larger buffer (a splice
    // render's first lines): kept alone, it kept that whole buffer alive beside the copy. (Node's
    // pool of small buffers, 8 KiB, does not count.)
    const first = chunks[0]!;
    const held = first.buffer.byteLength;
    const joined =
      chunks.length <= maxChunks
        ? chunks
        : held > Buffer.poolSize && held > 2 * first.length
          ? [Buffer.concat(chunks, size)]
          : [first, Buffer.concat(chunks.slice(1))];
    this.#bytes = { chunks: joined, size, length, starts };
  }

  // Marks a position about to change (before it does: what it held is the bytes' state).
  touch(position: number, held: boolean): void {
    if (this.#bytes !== null && position < this.#bytes.length && !this.#dirty.has(position))
      this.#dirty.set(position, held);
  }

  // The bytes of `lines`, in pieces to write one after another; inside a transaction
  // (`open`) kept aside until commit().
  render(lines: readonly (Line<T> | null)[], open: boolean): readonly Buffer[] {
    const cache = this.#bytes;
    const next =
      cache === null || this.#dirty.size > Math.max(64, cache.length >> 4)
        ? this.#renderWhole(lines)
        : (this.#renderChanges(cache, lines) ?? this.#renderWhole(lines));
    this.#take(next, open);
    return next.chunks;
  }

  // The bytes to add at the end of the file as last written, when only lines were appended
  // since (a create), or null (something else changed: render). Taken as a render.
  // (`offset`: the size of the file as last written, where they go.)
  renderAppend(lines: readonly (Line<T> | null)[], open: boolean): { offset: number; bytes: Buffer } | null {
    const cache = this.#bytes;
    if (cache === null || this.#dirty.size > 0 || lines.length === cache.length) return null;
    const next = this.#renderChanges(cache, lines);
    if (next === null || next.added === null) return null;
    this.#take(next, open);
    return { offset: cache.size, bytes: next.added };
  }

  // The transaction's render becomes the bytes kept.
  commit(): void {
    if (this.#pending) this.#adopt(this.#pending);
  }

  // The transaction's render is dropped; the positions changed stay marked (re-encoded to
  // the same bytes at the next render).
  rollback(): void {
    this.#pending = null;
  }

  // Lines moved: the bytes no longer match their positions.
  forget(): void {
    this.#bytes = null;
    this.#pending = null;
    this.#dirty.clear();
  }

  #take(next: RenderedBytes, open: boolean): void {
    if (open) this.#pending = next;
    else this.#adopt(next);
  }

  #adopt(bytes: RenderedBytes): void {
    // Only what a write needs: a render's `added` piece is already among its chunks.
    const { chunks, size, length, starts } = bytes;
    this.#bytes = { chunks, size, length, starts };
    this.#pending = null;
    this.#dirty.clear();
  }

  #renderWhole(lines: readonly (Line<T> | null)[]): RenderedBytes {
    const bytes = this.#encode(lines, 0) ?? Buffer.alloc(0);
    return { chunks: [bytes], size: bytes.length, length: lines.length, starts: null };
  }

  // The bytes of the lines from `from` on (holes take none), or null when there are none;
  // encoded a thousand lines at a time: one string of 100,000 lines (7 MB for passwd) went
  // to the old generation, garbage there until its next full collection.
  #encode(lines: readonly (Line<T> | null)[], from: number): Buffer | null {
    const pieces: Buffer[] = [];
    let text = '';
    let count = 0;
    for (let position = from; position < lines.length; position += 1) {
      const line = lines[position];
      if (!line) continue;
      text += `${this.#textOf(line)}\n`;
      count += 1;
      if (count % 1000 === 0) {
        pieces.push(Buffer.from(text, 'utf8'));
        text = '';
      }
    }
    if (text !== '') pieces.push(Buffer.from(text, 'utf8'));
    return pieces.length === 0 ? null : pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
  }

  // The last bytes with the changed positions spliced in and the new lines appended; null
  // when the bytes do not match the lines (then everything is rendered).
  // (`added`: the bytes of the new lines, the last piece.)
  #renderChanges(
    cache: RenderedBytes,
    lines: readonly (Line<T> | null)[],
  ): (RenderedBytes & { added: Buffer | null }) | null {
    const chunks: Buffer[] = [];
    let starts: number[] | null = null;
    if (this.#dirty.size === 0) chunks.push(...cache.chunks);
    else {
      const base = cache.chunks.length === 1 ? cache.chunks[0]! : Buffer.concat(cache.chunks, cache.size);
      const old = cache.starts ?? this.#findStarts(base, cache.length, lines);
      if (old === null) return null;
      const positions = [...this.#dirty.keys()].sort((a, b) => a - b);
      starts = new Array<number>(cache.length + 1);
      let shift = 0;
      let from = 0;
      let next = 0;
      for (const position of positions) {
        for (; next <= position; next += 1) starts[next] = old[next]! + shift;
        if (old[position]! > from) chunks.push(base.subarray(from, old[position]));
        const line = lines[position];
        const bytes = line ? Buffer.from(`${this.#textOf(line)}\n`, 'utf8') : null;
        if (bytes) chunks.push(bytes);
        shift += (bytes?.length ?? 0) - (old[position + 1]! - old[position]!);
        from = old[position + 1]!;
      }
      for (; next <= cache.length; next += 1) starts[next] = old[next]! + shift;
      if (from < base.length) chunks.push(base.subarray(from));
    }
    // The lines added since (a create appends).
    const addedBytes = this.#encode(lines, cache.length);
    if (addedBytes) chunks.push(addedBytes);
    let size = 0;
    for (const chunk of chunks) size += chunk.length;
    // Starts for the new positions only when few (a bulk create's are found again if needed).
    if (starts !== null && lines.length - cache.length > 1000) starts = null;
    else if (starts !== null || cache.starts !== null) {
      starts ??= cache.starts!.slice();
      for (let position = cache.length; position < lines.length; position += 1) {
        const line = lines[position];
        starts.push(starts.at(-1)! + (line ? Buffer.byteLength(line.text!, 'utf8') + 1 : 0));
      }
      starts.pop();
      starts.push(size);
    }
    const joined = chunks.length > maxChunks ? [Buffer.concat(chunks, size)] : chunks;
    return { chunks: joined, size, length: lines.length, starts, added: addedBytes };
  }

  // Where each position's line starts in `bytes` (the file as of the last render: a
  // position changed since counts as what it held then); null when they do not agree.
  #findStarts(bytes: Buffer, length: number, lines: readonly (Line<T> | null)[]): number[] | null {
    const starts = new Array<number>(length + 1);
    let offset = 0;
    for (let position = 0; position < length; position += 1) {
      starts[position] = offset;
      const held = this.#dirty.get(position) ?? lines[position] !== null;
      if (!held) continue;
      const end = bytes.indexOf(10, offset);
      if (end === -1) return null;
      offset = end + 1;
    }
    starts[length] = offset;
    return offset === bytes.length ? starts : null;
  }
}
