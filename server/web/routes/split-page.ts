// A page rendered once with a placeholder where a per-request value goes (the login form's
// CSRF token, twice), kept as bytes: an answer copies the pieces and the value into one
// Buffer, which Node writes as is. A string answer was joined, then flattened with the
// headers, then encoded: 4 KB of young-generation garbage per keep-alive request of the
// login page (bench/README.md, twelfth session).
export class SplitPage {
  readonly #pieces: Buffer[];
  readonly #slotLength: number;

  // `html` with every `slot` cut out; the value filled in must be as long, in Latin-1.
  constructor(html: string, slot: string) {
    this.#pieces = html.split(slot).map((piece) => Buffer.from(piece, 'utf8'));
    this.#slotLength = slot.length;
  }

  // The page with `value` (ASCII, the slot's length) in every slot.
  fill(value: string): Buffer {
    if (value.length !== this.#slotLength) throw new Error(`a split page's value must be ${this.#slotLength} long`);
    const pieces = this.#pieces;
    let length = value.length * (pieces.length - 1);
    for (const piece of pieces) length += piece.length;
    const page = Buffer.allocUnsafe(length);
    let offset = pieces[0]!.copy(page, 0);
    for (let index = 1; index < pieces.length; index++) {
      offset += page.write(value, offset, 'latin1');
      offset += pieces[index]!.copy(page, offset);
    }
    return page;
  }
}
