import type { AccountView } from './account-schema.ts';

// What a suggestion shows: the login to use and the name people know.
export interface AccountSuggestion {
  login: string;
  fullName: string;
}

// The most suggestions one query may ask for: a list a person reads, not an export.
export const maxSuggestions = 20;
// The longest text searched for (a login is at most 32 characters, a name rarely longer).
export const maxSuggestionText = 64;

// Lowercase, without accents (the combining marks NFD splits off, as the accounts page's filter):
// "Lefèvre" and "lefevre" read the same.
export function normalizeForSearch(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

type Entry = { suggestion: AccountSuggestion; login: string; words: string[]; text: string };

// The standard accounts by login and full name, normalized once for each version of the
// files, so that each keystroke of a "who?" field only scans prepared strings (10,000
// accounts: well under a millisecond a query, see test/core/accounts/account-suggestions).
export class AccountSuggestions {
  readonly #entries: Entry[];

  constructor(accounts: readonly AccountView[]) {
    this.#entries = accounts
      .filter((account) => !account.system)
      .map((account) => {
        const login = normalizeForSearch(account.login);
        const name = normalizeForSearch(account.fullName);
        return {
          suggestion: { login: account.login, fullName: account.fullName },
          login,
          // U+2019 (’) written as an escape: one character above Latin-1 in the bundle makes V8
          // keep its whole source as a two-byte string (server/build.ts).
          words: name.split(/[\s'\u2019-]+/).filter(Boolean),
          text: `${login} ${name}`,
        };
      })
      .sort((a, b) => (a.login < b.login ? -1 : a.login > b.login ? 1 : 0));
  }

  // The accounts whose login or full name holds every word of `text`, best first: a login
  // that begins with it, then a name with a word that begins with each word, then any match;
  // by login within each. At most `limit` (and maxSuggestions).
  find(text: string, limit: number): AccountSuggestion[] {
    const words = normalizeForSearch(text.slice(0, maxSuggestionText)).split(/\s+/).filter(Boolean);
    const wanted = Math.max(0, Math.min(limit, maxSuggestions));
    if (words.length === 0 || wanted === 0) return [];
    const ranks: AccountSuggestion[][] = [[], [], []];
    const [best, good, rest] = ranks as [AccountSuggestion[], AccountSuggestion[], AccountSuggestion[]];
    const single = words.length === 1 ? words[0]! : null;
    for (const entry of this.#entries) {
      if (single !== null && entry.login.startsWith(single)) {
        best.push(entry.suggestion);
        // Logins come in order: once the best rank is full, nothing later comes before them.
        if (best.length === wanted) break;
        continue;
      }
      // The costlier ranks are only told apart while they may still be shown.
      if (good.length === wanted && rest.length === wanted) continue;
      if (!words.every((word) => entry.text.includes(word))) continue;
      const isGood =
        good.length < wanted &&
        words.every((word) => entry.login.startsWith(word) || entry.words.some((part) => part.startsWith(word)));
      if (isGood) good.push(entry.suggestion);
      else if (rest.length < wanted) rest.push(entry.suggestion);
    }
    return ranks.flat().slice(0, wanted);
  }
}
