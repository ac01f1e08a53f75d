import { Transform, type TransformCallback } from 'node:stream';

// The in-band window size change a get inside client sends (an OSC sequence no terminal
// sends on its own): ESC ] licorn-size ; COLUMNS ; ROWS BEL.
export function getSizeSequence(columns: number, rows: number): string {
  return `\x1b]licorn-size;${columns};${rows}\x07`;
}

const sizePattern = /\x1b\]licorn-size;(\d{1,4});(\d{1,4})\x07/g;
const marker = '\x1b]licorn-size;';
const maxHeaderBytes = 1024;

// What the REPL reads from a get inside connection: the first line is the client's header
// (`{"columns":…,"rows":…}`, emits 'size'), then keystrokes, with window size changes taken
// out (each emits 'size'). A header longer than 1 KiB or not JSON is an error.
export class InsideInput extends Transform {
  columns = 80;
  rows = 24;
  #header: string | null = '';
  #pending = '';

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let text = chunk.toString('latin1');
    if (this.#header !== null) {
      const end = text.indexOf('\n');
      this.#header += end < 0 ? text : text.slice(0, end);
      if (this.#header.length > maxHeaderBytes) return done(new Error('the client header is too long'));
      if (end < 0) return done();
      try {
        const { columns, rows } = JSON.parse(this.#header) as { columns?: unknown; rows?: unknown };
        this.#setSize(columns, rows);
      } catch {
        return done(new Error('the client header is not JSON'));
      }
      this.#header = null;
      this.emit('size');
      text = text.slice(end + 1);
    }
    text = this.#pending + text;
    this.#pending = '';
    text = text.replace(sizePattern, (_match, columns: string, rows: string) => {
      this.#setSize(Number(columns), Number(rows));
      queueMicrotask(() => this.emit('size'));
      return '';
    });
    // A size change cut between two chunks: keep its start for the next one.
    const cut = text.lastIndexOf('\x1b]');
    if (cut >= 0 && marker.startsWith(text.slice(cut, cut + marker.length)) && !text.includes('\x07', cut)) {
      this.#pending = text.slice(cut);
      text = text.slice(0, cut);
    }
    if (this.#pending.length > 64) {
      text += this.#pending;
      this.#pending = '';
    }
    done(null, text.length > 0 ? Buffer.from(text, 'latin1') : undefined);
  }

  #setSize(columns: unknown, rows: unknown): void {
    if (Number.isInteger(columns) && (columns as number) > 0 && (columns as number) < 10000)
      this.columns = columns as number;
    if (Number.isInteger(rows) && (rows as number) > 0 && (rows as number) < 10000) this.rows = rows as number;
  }
}
