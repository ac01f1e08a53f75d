// The browser's own words (dialogs, confirmations, notices, charts) in the page's language:
// an i18next instance holding only the `browser` namespace of each language, bundled, and
// ready at once (no loading, so a page never shows a key while a catalogue arrives).
// The page's language is its <html lang>, which the server sets from request.locale.
import i18next from 'i18next';
import en from '../common/i18n/catalogues/en/browser.json' with { type: 'json' };
import fr from '../common/i18n/catalogues/fr/browser.json' with { type: 'json' };
import { getIntlTag } from '../common/i18n/formats.ts';
import { createShapedTexts } from '../common/i18n/shaped-texts.ts';
import { defaultLocale, isLocale, type Locale, locales } from '../common/i18n/locales.ts';

const i18n = i18next.createInstance();
void i18n.init({
  resources: { en: { browser: en }, fr: { browser: fr } },
  lng: defaultLocale,
  fallbackLng: defaultLocale,
  supportedLngs: [...locales],
  ns: ['browser'],
  defaultNS: 'browser',
  initAsync: false,
  // The DOM escapes: texts go in with textContent, never innerHTML.
  interpolation: { escapeValue: false },
  returnNull: false,
});

// The last <html lang> read and its locale: the Status page asks some forty times a tick.
let pageLang: string | null = null;
let pageLocale: Locale = defaultLocale;

// The page's language: <html lang="fr"> (or "fr-FR"); English for anything else, and outside
// a page (unit tests of pure formats run without a document). Parsed again only when the
// attribute changes.
export function getPageLocale(): Locale {
  if (typeof document === 'undefined') return defaultLocale;
  const lang = document.documentElement.lang;
  if (lang !== pageLang) {
    pageLang = lang;
    const tag = lang.toLowerCase().split('-')[0];
    pageLocale = isLocale(tag) ? tag : defaultLocale;
  }
  return pageLocale;
}

// The browser's words, from cached shapes (common/i18n/shaped-texts.ts); the DOM escapes.
const browserTexts = createShapedTexts({
  getSource: (locale, key) => {
    const text = i18n.getResource(locale, 'browser', key) as unknown;
    return typeof text === 'string' ? text : undefined;
  },
  translate: (locale, key, options) => i18n.t(key, { ...options, lng: locale }) as string,
  escape: (text) => text,
});

// A text of the browser catalogue in the page's language: t('stream.live'),
// t('accounts.selected', { count }). The language is read at each call, so a test may
// switch it, and the key is always a literal (test/browser/browser-words.test.ts checks them).
export function t(key: string, options: Record<string, unknown> = {}): string {
  return browserTexts(getPageLocale(), key, options);
}

const counts = new Map<Locale, Intl.NumberFormat>();

// A count as the page's language writes it ("10,000" / "10 000").
export function formatCount(value: number): string {
  const locale = getPageLocale();
  let format = counts.get(locale);
  if (!format) {
    format = new Intl.NumberFormat(getIntlTag(locale));
    counts.set(locale, format);
  }
  return format.format(value);
}
