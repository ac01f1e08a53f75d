// The languages Licorn speaks: English first (the fallback), and French (Licorn was French first).
export const locales = ['en', 'fr'] as const;

export type Locale = (typeof locales)[number];

export const defaultLocale: Locale = 'en';

// The catalogues' namespaces: pages (templates and the web server's words), browser (the
// bundle's own words), core (the core's messages and errors, shown by the pages, the API and the CLI).
export const namespaces = ['pages', 'browser', 'core'] as const;

export type Namespace = (typeof namespaces)[number];

// Whether a value (a stored preference, a query, a header) names a language Licorn speaks.
export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (locales as readonly string[]).includes(value);
}
