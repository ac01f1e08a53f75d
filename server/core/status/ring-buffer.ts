// A fixed number of the latest items: pushing past capacity drops the oldest. The status
// history is two of these, so its memory never grows.
export class RingBuffer<T> {
  readonly capacity: number;
  readonly #items: (T | undefined)[];
  #start = 0;
  #size = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.#items = new Array(capacity);
  }

  get size(): number {
    return this.#size;
  }

  push(item: T): void {
    this.#items[(this.#start + this.#size) % this.capacity] = item;
    if (this.#size < this.capacity) this.#size += 1;
    else this.#start = (this.#start + 1) % this.capacity;
  }

  // The newest item, or undefined when empty.
  latest(): T | undefined {
    return this.#size === 0 ? undefined : this.#items[(this.#start + this.#size - 1) % this.capacity];
  }

  // Oldest first.
  toArray(): T[] {
    return Array.from({ length: this.#size }, (_, index) => this.#items[(this.#start + index) % this.capacity]!);
  }
}
