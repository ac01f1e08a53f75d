import { defaultLocale, isLocale, type Locale } from '../../../common/i18n/locales.ts';
import { getCatalogueText, getTranslator } from '../../../common/i18n/translator.ts';

// What a Nunjucks global or filter is called with as `this`: the render's context, whose
// data holds `locale` (reply.locals for pages, the push hub's render for partials).
export interface RenderContext {
  ctx?: { locale?: unknown };
}

// The language of a render: its context's `locale`, or English when a render passes none.
export function getRenderLocale(context: RenderContext | undefined): Locale {
  const locale = context?.ctx?.locale;
  return isLocale(locale) ? locale : defaultLocale;
}

const htmlEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

// Escapes text for HTML and writes every character beyond Latin-1 as an entity (U+202F, the
// narrow space of French numbers; "…"): a page stays a one-byte string in V8, which Node
// writes to a socket several times faster (views/layout.njk). V8 builds a replacement's result
// in its subject's width, so a text that had such a character is copied back to one byte:
// one "’" made the whole English login page two-byte (bench/README.md, twelfth session).
export function escapePageText(text: string): string {
  let wide = false;
  const escaped = text.replace(/[&<>"']|[^\u0000-\u00ff]/gu, (char) => {
    if (htmlEscapes[char] !== undefined) return htmlEscapes[char];
    wide = true;
    return `&#${char.codePointAt(0)};`;
  });
  return wide ? Buffer.from(escaped, 'latin1').toString('latin1') : escaped;
}

// A page's words: `key` of the `pages` catalogue in `locale`, escaped for HTML. Its options
// are i18next's (`count` picks the plural and is written as the language writes numbers
// with `{{count, number}}`); they are interpolated before the escaping, so data is escaped too.
export function translatePage(locale: Locale, key: string, options?: Record<string, unknown>): string {
  if (options)
    return (
      fillText(locale, key, options) ?? escapePageText(String(getTranslator(locale, 'pages')(key, options as never)))
    );
  // A text without options is the same at every call (the catalogues never change while the
  // process runs): i18next's lookup costs 20-40 µs, and a page of 100 account rows asked for
  // 500 such words (10-20 ms a page).
  const id = `${locale}\u0000${key}`;
  let text = plainTexts.get(id);
  if (text === undefined) {
    text = escapePageText(String(getTranslator(locale, 'pages')(key)));
    if (plainTexts.size < maxPlainTexts) plainTexts.set(id, text);
  }
  return text;
}

// Each language's texts without options, escaped, by key: the keys the templates name, a few
// hundred; bounded all the same, since a few keys are built from data (`me.saved.` + a query).
const plainTexts = new Map<string, string>();
const maxPlainTexts = 4096;

// Options that change which text i18next picks or how it writes it: never filled in as
// strings (a number, `count`, is part of a shape's identity instead).
const i18nextOptions = new Set([
  'count',
  'context',
  'ordinal',
  'lng',
  'lngs',
  'ns',
  'fallbackLng',
  'defaultValue',
  'returnObjects',
  'returnDetails',
  'joinArrays',
  'postProcess',
  'replace',
  'interpolation',
  'skipInterpolation',
  'keyPrefix',
  'nsSeparator',
  'keySeparator',
]);

// The texts' shapes, by language, key, option names and numbers: i18next's text for these
// numbers (a plural, "10,040 accounts") with markers for the string options (the select box's
// "Select {{login}}" on every row of the accounts table), escaped and cut at the markers (odd
// items: the option's index); null when it cannot be (a string formatted, a nesting).
// i18next costs 20-100 µs a call; filling a shape, a few hundred ns. Bounded: the numbers
// vary (the pager's count of matches).
const shapes = new Map<string, (string | number)[] | null>();
const maxShapes = 4096;
const placeholder = /\{\{\s*([^{},]*?)\s*(,[^{}]*)?\}\}|\$t\(/g;
const pluralSuffixes = ['', '_zero', '_one', '_two', '_few', '_many', '_other'];

// `key` with `options` (strings and numbers) written from its cached shape (the strings
// escaped), or undefined when i18next must write it.
function fillText(locale: Locale, key: string, options: Record<string, unknown>): string | undefined {
  const names = Object.keys(options);
  let id = `${locale}\u0000${key}`;
  for (const name of names) {
    const value = options[name];
    if (typeof value === 'number') id += `\u0000${name}=${value}`;
    else if (typeof value === 'string' && !i18nextOptions.has(name)) id += `\u0000${name}`;
    else return undefined;
  }
  let shape = shapes.get(id);
  if (shape === undefined) {
    shape = getShape(locale, key, names, options);
    if (shapes.size >= maxShapes) shapes.clear();
    shapes.set(id, shape);
  }
  if (shape === null) return undefined;
  let text = '';
  for (let index = 0; index < shape.length; index += 1) {
    const piece = shape[index]!;
    text += typeof piece === 'number' ? escapePageText(options[names[piece]!] as string) : piece;
  }
  return text;
}

// The shape of `key` for these options: i18next's text with markers for the strings, escaped
// and cut at them; null unless the language's catalogue has the key (or its plurals) and its
// texts never format a string option nor nest another text.
function getShape(
  locale: Locale,
  key: string,
  names: string[],
  options: Record<string, unknown>,
): (string | number)[] | null {
  const sources = pluralSuffixes
    .map((suffix) => getCatalogueText(locale, 'pages', key + suffix))
    .filter((text) => text !== undefined);
  if (sources.length === 0) return null;
  for (const source of sources)
    for (const [found, name, format] of source.matchAll(placeholder))
      if (found === '$t(' || (format && typeof options[name!] === 'string')) return null;
  const marked = Object.fromEntries(
    names.map((name, index) => [name, typeof options[name] === 'string' ? `\u0001${index}\u0001` : options[name]]),
  );
  const text = escapePageText(String(getTranslator(locale, 'pages')(key, marked as never)));
  return text.split(/\u0001(\d+)\u0001/).map((piece, index) => (index % 2 === 1 ? Number(piece) : piece));
}
