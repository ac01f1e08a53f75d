import { defaultLocale, isLocale, type Locale } from '../../../common/i18n/locales.ts';
import { createShapedTexts } from '../../../common/i18n/shaped-texts.ts';
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

// The pages' words, from cached shapes (common/i18n/shaped-texts.ts).
const pageTexts = createShapedTexts({
  getSource: (locale, key) => getCatalogueText(locale as Locale, 'pages', key),
  translate: (locale, key, options) => String(getTranslator(locale as Locale, 'pages')(key, options as never)),
  escape: escapePageText,
});

// A page's words: `key` of the `pages` catalogue in `locale`, escaped for HTML. Its options
// are i18next's (`count` picks the plural and is written as the language writes numbers
// with `{{count, number}}`); they are interpolated before the escaping, so data is escaped too.
export function translatePage(locale: Locale, key: string, options?: Record<string, unknown>): string {
  return pageTexts(locale, key, options);
}
