// The latest few answers of a route, by key, valid for one scope (the accounts list's
// generation and the day): a person typing and erasing a filter asks for the same rows again,
// and rendering 100 rows costs more than the rest of the request. A new scope empties it.
export class RecentAnswers<T> {
  readonly #answers = new Map<string, T>();
  readonly #size: number;
  #scope = '';

  constructor(size: number) {
    this.#size = size;
  }

  // The answer for `key` in `scope`, made by `make` unless one of the latest is kept.
  async get(scope: string, key: string, make: () => Promise<T>): Promise<T> {
    if (scope !== this.#scope) {
      this.#answers.clear();
      this.#scope = scope;
    }
    const kept = this.#answers.get(key);
    if (kept !== undefined) {
      // Most recent last: the oldest goes first when full.
      this.#answers.delete(key);
      this.#answers.set(key, kept);
      return kept;
    }
    const made = await make();
    // A change while it rendered: the answer belongs to no current scope.
    if (scope !== this.#scope) return made;
    this.#answers.set(key, made);
    if (this.#answers.size > this.#size) this.#answers.delete(this.#answers.keys().next().value!);
    return made;
  }
}
