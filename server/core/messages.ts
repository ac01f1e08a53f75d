import enCore from '../../common/i18n/catalogues/en/core.json' with { type: 'json' };
import { formatDateTime, formatNumber } from '../../common/i18n/formats.ts';
import type { Locale } from '../../common/i18n/locales.ts';
import { getTranslator, hasTranslation } from '../../common/i18n/translator.ts';

// Every dotted key of a catalogue's leaves, plural suffixes folded ("accounts.notFound").
type Leaves<T, Prefix extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${Prefix}${K}` : Leaves<T[K], `${Prefix}${K}.`>;
}[keyof T & string];
type Singular<K> = K extends `${infer Base}_${'zero' | 'one' | 'two' | 'few' | 'many' | 'other'}` ? Base : K;

// A key of the core's catalogue (common/i18n/catalogues/<locale>/core.json): the type checker
// refuses a message whose key has no English text.
export type CoreMessageKey = Singular<Leaves<typeof enCore>>;

// A value quoted as each language quotes: "alice" in English, « alice » in French.
export interface Quoted {
  readonly quoted: unknown;
}

// A count written as each language writes it (10,000 / 10 000).
export interface Counted {
  readonly counted: number;
}

// Values joined by commas, each said in the reader's language.
export interface Listed {
  readonly listed: readonly MessageParam[];
}

// What a message's parameter may be: words passed through (a tool's stderr, a path, an id),
// another message (said in the same language), a quoted value, a count, a list, a date.
export type MessageParam = string | number | boolean | Date | CoreMessage | Quoted | Counted | Listed | null;

// A sentence of the core, kept as its key and parameters so that each reader gets it in
// their language; CoreError renders it in English for logs, audit and tests.
export interface CoreMessage {
  readonly key: CoreMessageKey;
  readonly params: Readonly<Record<string, MessageParam>>;
}

// Builds a message: say('accounts.notFound', { login: quoted(login) }).
export function say(key: CoreMessageKey, params: Record<string, MessageParam> = {}): CoreMessage {
  // Keys built at run time escape the type checker: refuse one without an English text
  // loudly rather than showing people a raw key. Checked once per key: i18next's lookup
  // cost 17 µs, and a bulk create of 100,000 accounts names their kind twice per row.
  if (!checkedKeys.has(key)) {
    if (!hasTranslation('en', 'core', key) && !hasTranslation('en', 'core', `${key}_other`)) {
      throw new TypeError(`No English text for the core message "${key}" (common/i18n/catalogues/en/core.json)`);
    }
    checkedKeys.add(key);
  }
  return { key, params };
}

// The keys say() has found an English text for (the catalogues do not change at run time).
const checkedKeys = new Set<string>();

// A value to quote in a message (escaped, cut after 80 characters, as quote() does).
export function quoted(value: unknown): Quoted {
  return { quoted: value };
}

// A count to write with the language's digit grouping.
export function counted(value: number): Counted {
  return { counted: value };
}

// Values to join with commas.
export function listed(values: readonly MessageParam[]): Listed {
  return { listed: values };
}

// Whether a value is a message (rather than a plain value or a marker).
export function isCoreMessage(value: unknown): value is CoreMessage {
  return typeof value === 'object' && value !== null && 'key' in value && 'params' in value;
}

// A quoted value in a language: JSON's escapes (never a raw newline or control character in a
// message or a log line), cut after 80 characters; French puts it between guillemets.
function renderQuoted(value: unknown, locale: Locale): string {
  const shown = typeof value === 'string' && value.length > 80 ? `${value.slice(0, 80)}…` : value;
  const json = JSON.stringify(shown) ?? String(shown);
  if (locale === 'en' || typeof shown !== 'string') return json;
  return `«\u00a0${json.slice(1, -1).replace(/\\"/g, '"')}\u00a0»`;
}

// One parameter as the reader's language says it.
function renderParam(value: MessageParam, locale: Locale): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return formatDateTime(locale, value);
  if ('quoted' in value) return renderQuoted(value.quoted, locale);
  if ('counted' in value) return formatNumber(locale, value.counted);
  if ('listed' in value) return value.listed.map((item) => renderParam(item, locale)).join(', ');
  return renderMessage(value, locale);
}

// Sentences said before whose parameters are all numbers (or none), by language, key and
// numbers: the refusals a script can repeat in a loop (not logged in, a rate refused, the
// stop) are such, and i18next takes 16–21 µs a sentence, a refused request's whole cost
// before (twenty-second session). At most maxRemembered, forgotten all at once when full.
// Sentences naming a login, a path or a URL are not kept: words a client chooses.
const remembered = new Map<string, string>();
const maxRemembered = 512;

// The memory's key of a sentence with numbers only, or null.
function getRememberedKey(message: CoreMessage, locale: Locale): string | null {
  let key = `${locale}\u0000${message.key}`;
  for (const name in message.params) {
    const value = message.params[name];
    if (typeof value !== 'number') return null;
    key += `\u0000${name}=${value}`;
  }
  return key;
}

// A message in a language; a key the language lacks falls back to English (the catalogue
// test keeps both complete).
export function renderMessage(message: CoreMessage, locale: Locale): string {
  const key = getRememberedKey(message, locale);
  let text = key === null ? undefined : remembered.get(key);
  if (text === undefined) {
    text = translateMessage(message, locale);
    if (key !== null) {
      if (remembered.size >= maxRemembered) remembered.clear();
      remembered.set(key, text);
    }
  }
  return text;
}

// renderMessage without the memory: i18next fills the sentence in.
function translateMessage(message: CoreMessage, locale: Locale): string {
  const values: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(message.params)) {
    // A plain `count` stays a number: i18next chooses the plural form (_one, _other) from it.
    values[name] = name === 'count' && typeof value === 'number' ? value : renderParam(value, locale);
  }
  // Under `replace`, a parameter's name never collides with i18next's options (ns, context…);
  // i18next never reads {{…}} or $t(…) inside the values (skipOnVariables).
  const count = typeof values.count === 'number' ? values.count : undefined;
  return getTranslator(locale, 'core')(message.key, { replace: values, count }) as string;
}

// Each message of a record in a language (a page's refusals: { delete: "…", rename: null }).
export function renderMessages<K extends string>(
  messages: Record<K, CoreMessage | null>,
  locale: Locale,
): Record<K, string | null> {
  const entries = Object.entries(messages) as [K, CoreMessage | null][];
  return Object.fromEntries(
    entries.map(([name, message]) => [name, message && renderMessage(message, locale)]),
  ) as Record<K, string | null>;
}
