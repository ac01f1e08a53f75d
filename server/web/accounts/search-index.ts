// Every search text of a list joined in one string, searched with indexOf: a word found in
// few texts costs a few jumps through one flat string rather than a call per text (100,000
// includes() for a key press at 100K accounts). Built once per list generation.
export class SearchIndex {
  readonly #joined: string;
  // Where each text starts in #joined; one more for the end.
  readonly #starts: Int32Array;

  // `texts` hold no line feed (search texts are split on white space: no word holds one).
  constructor(texts: readonly string[]) {
    this.#joined = texts.join('\n');
    this.#starts = new Int32Array(texts.length + 1);
    let at = 0;
    texts.forEach((text, index) => {
      this.#starts[index] = at;
      at += text.length + 1;
    });
    this.#starts[texts.length] = at;
  }

  // Text `index` as a slice of the joined string: the list keeps these instead of its own
  // copies (100,000 search texts were 6 MiB beside the joined string's 8.5).
  getText(index: number): string {
    return this.#joined.slice(this.#starts[index], this.#starts[index + 1]! - 1);
  }

  // Which texts hold `word` (1 at their index), a word without white space.
  find(word: string): Uint8Array {
    const found = new Uint8Array(this.#starts.length - 1);
    if (word === '') return found.fill(1);
    let at = this.#joined.indexOf(word);
    while (at !== -1) {
      const index = this.#getTextAt(at);
      found[index] = 1;
      // On to the next text: one hit per text is enough.
      at = this.#joined.indexOf(word, this.#starts[index + 1]!);
    }
    return found;
  }

  // The index of the text holding position `at` of #joined (binary search of the starts).
  #getTextAt(at: number): number {
    let low = 0;
    let high = this.#starts.length - 2;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if (this.#starts[middle]! <= at) low = middle;
      else high = middle - 1;
    }
    return low;
  }
}
