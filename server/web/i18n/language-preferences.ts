import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isLocale, type Locale, locales } from '../../../common/i18n/locales.ts';
import { CoreError } from '../../core/errors.ts';
import { listed, quoted, say } from '../../core/messages.ts';

// The choices "My account" offers: a language Licorn speaks, or "browser" (no preference:
// Accept-Language decides).
export const languageChoices = [...locales, 'browser'] as const;

export type LanguageChoice = (typeof languageChoices)[number];

// One account's preference as the file keeps it: bound to the account's uid when it was
// chosen, so that a new account given the login (or a renamed one) does not inherit it.
interface StoredPreference {
  login: string;
  uid: number;
  locale: Locale;
}

export interface LanguagePreferencesOptions {
  file: string;
  // The account's uid now, or null when there is no such account.
  getUid(login: string): number | null;
  warn?: (message: string) => void;
}

const fileVersion = 1;

// Whether a value read back is a well-formed entry (a hand-edited file adds nothing odd).
function isStoredPreference(value: unknown): value is StoredPreference {
  if (!value || typeof value !== 'object') return false;
  const record = value as Record<string, unknown>;
  return (
    typeof record.login === 'string' &&
    record.login.length > 0 &&
    record.login.length <= 256 &&
    Number.isSafeInteger(record.uid) &&
    isLocale(record.locale)
  );
}

// The accounts' language preferences ("My account"), kept by the daemon in a small JSON file
// (languages.store_file): at most one entry per account, only for those who chose a
// language. An entry whose account is gone, or whose login now names another uid, is ignored
// and dropped (at load and at the account's events). Writes are whole-file and atomic (a
// staged file renamed over), one at a time; changes that come while one is written are
// written together by the next, so 10,000 quick changes cost a few writes, not 10,000.
export class LanguagePreferences {
  readonly #options: LanguagePreferencesOptions;
  readonly #byLogin = new Map<string, StoredPreference>();
  #writing: Promise<void> | null = null;
  #dirty = false;
  #writes = 0;

  constructor(options: LanguagePreferencesOptions) {
    this.#options = options;
  }

  // Reads the file: none when it is absent; a damaged file is reported and read as empty
  // (every account follows its browser), never a reason not to start.
  async load(): Promise<void> {
    const { file } = this.#options;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.#warn(`languages file ${file}: cannot read it (${(error as NodeJS.ErrnoException).code})`);
      }
      return;
    }
    try {
      const parsed = JSON.parse(text) as { version?: unknown; preferences?: unknown };
      if (parsed.version !== fileVersion || !Array.isArray(parsed.preferences)) throw new Error('not a languages file');
      const entries = parsed.preferences.filter(isStoredPreference);
      if (entries.length < parsed.preferences.length) this.#warn(`languages file ${file}: malformed entries skipped`);
      for (const { login, uid, locale } of entries) this.#byLogin.set(login, { login, uid, locale });
    } catch (error) {
      this.#warn(`languages file ${file}: ${(error as Error).message}; every account follows its browser`);
      return;
    }
    const before = this.#byLogin.size;
    for (const login of [...this.#byLogin.keys()]) this.#forgetIfGone(login);
    if (this.#byLogin.size < before) await this.#save();
  }

  // The language an account chose, or null (none chosen, or its account is not the one that chose).
  get(login: string): Locale | null {
    const entry = this.#byLogin.get(login);
    if (!entry || entry.uid !== this.#options.getUid(login)) return null;
    return entry.locale;
  }

  // What "My account" shows as chosen: a language, or "browser".
  getChoice(login: string): LanguageChoice {
    return this.get(login) ?? 'browser';
  }

  // Sets an account's choice ("browser" removes its entry) and resolves once it is on disk.
  // A value outside the list is refused before anything changes.
  async set(login: string, choice: string): Promise<void> {
    if (!(languageChoices as readonly string[]).includes(choice)) {
      const message = say('web.language.invalid', {
        value: quoted(choice.slice(0, 64)),
        valid: listed(languageChoices.map((valid) => quoted(valid))),
      });
      throw new CoreError('invalid-argument', message, { field: 'language' });
    }
    const uid = this.#options.getUid(login);
    if (uid === null)
      throw new CoreError('not-found', say('accounts.notFound', { login: quoted(login) }), { field: 'login' });
    const current = this.get(login);
    if (choice === 'browser' ? current === null && !this.#byLogin.has(login) : current === choice) return;
    if (isLocale(choice)) this.#byLogin.set(login, { login, uid, locale: choice });
    else this.#byLogin.delete(login);
    await this.#save();
  }

  // Drops the entry of `login` if its account is gone or is another account now (called at
  // the account's events: deleted, renamed, changed). Resolves once saved, when it changed.
  async forgetIfGone(login: string): Promise<void> {
    if (this.#forgetIfGone(login)) await this.#save();
  }

  // How many entries are kept (tests, figures).
  get size(): number {
    return this.#byLogin.size;
  }

  // How many times the file was written since the daemon started (tests, figures).
  get writeCount(): number {
    return this.#writes;
  }

  #forgetIfGone(login: string): boolean {
    const entry = this.#byLogin.get(login);
    if (!entry || entry.uid === this.#options.getUid(login)) return false;
    this.#byLogin.delete(login);
    return true;
  }

  // Writes the current entries; a change made while a write runs is written by the next one
  // (which every caller waiting on it awaits).
  async #save(): Promise<void> {
    this.#dirty = true;
    while (this.#writing) await this.#writing;
    if (!this.#dirty) return;
    this.#dirty = false;
    this.#writes += 1;
    this.#writing = this.#write([...this.#byLogin.values()]).finally(() => {
      this.#writing = null;
    });
    await this.#writing;
  }

  async #write(preferences: StoredPreference[]): Promise<void> {
    const { file } = this.#options;
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    const staged = `${file}.${process.pid}.tmp`;
    const handle = await open(staged, 'w', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify({ version: fileVersion, preferences })}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(staged, file);
  }

  #warn(message: string): void {
    this.#options.warn?.(message);
  }
}
