import i18next, { type TFunction } from 'i18next';
import { catalogues } from './catalogues.ts';
import { defaultLocale, type Locale, locales, type Namespace, namespaces } from './locales.ts';

// One i18next instance for the process, loaded synchronously from the bundled catalogues:
// no backend, no detection (chooseLocale decides), no escaping (Nunjucks and the DOM escape).
const i18n = i18next.createInstance();
void i18n.init({
  resources: catalogues,
  lng: defaultLocale,
  fallbackLng: defaultLocale,
  supportedLngs: [...locales],
  ns: [...namespaces],
  defaultNS: 'pages',
  initAsync: false,
  interpolation: { escapeValue: false },
  returnNull: false,
});

const fixed = new Map<string, TFunction>();

// The translate function of one language and namespace: t('accounts.title'), t('accounts.count', { count }).
export function getTranslator(locale: Locale, namespace: Namespace = 'pages'): TFunction {
  const id = `${locale}:${namespace}`;
  let t = fixed.get(id);
  if (!t) {
    t = i18n.getFixedT(locale, namespace);
    fixed.set(id, t);
  }
  return t;
}

// Whether a key exists in a language's catalogue (no fallback): for tests and for messages
// that may come with or without a translation.
export function hasTranslation(locale: Locale, namespace: Namespace, key: string): boolean {
  return i18n.exists(key, { lng: locale, ns: namespace, fallbackLng: false });
}

// A key's text as its language's catalogue holds it (no fallback, no interpolation), or
// undefined: for callers that cache a text's shape and must know its placeholders.
export function getCatalogueText(locale: Locale, namespace: Namespace, key: string): string | undefined {
  const text = i18n.getResource(locale, namespace, key) as unknown;
  return typeof text === 'string' ? text : undefined;
}
