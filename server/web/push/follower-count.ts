import type { Locale } from '../../../common/i18n/locales.ts';

// How many sockets follow each topic name, by the language their page reads: a topic renders
// its partials once per language in use among its followers (never per follower, never for a
// language nobody following it reads).
export class FollowerCount {
  readonly #byTopic = new Map<string, Map<Locale, number>>();

  // One more socket reading `locale` follows `name`.
  add(name: string, locale: Locale): void {
    let byLocale = this.#byTopic.get(name);
    if (!byLocale) {
      byLocale = new Map();
      this.#byTopic.set(name, byLocale);
    }
    byLocale.set(locale, (byLocale.get(locale) ?? 0) + 1);
  }

  // A socket reading `locale` stopped following `name` (it was counted by add).
  remove(name: string, locale: Locale): void {
    const byLocale = this.#byTopic.get(name);
    if (!byLocale) return;
    const left = (byLocale.get(locale) ?? 1) - 1;
    if (left > 0) byLocale.set(locale, left);
    else byLocale.delete(locale);
    if (byLocale.size === 0) this.#byTopic.delete(name);
  }

  // Whether any socket follows `name`.
  has(name: string): boolean {
    return this.#byTopic.has(name);
  }

  // The languages read by `name`'s followers (none when nobody follows it).
  getLocales(name: string): Locale[] {
    return [...(this.#byTopic.get(name)?.keys() ?? [])];
  }

  // How many sockets follow `name`, in every language.
  count(name: string): number {
    let total = 0;
    for (const count of this.#byTopic.get(name)?.values() ?? []) total += count;
    return total;
  }
}
