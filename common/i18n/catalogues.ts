import type { Locale, Namespace } from './locales.ts';
import enPages from './catalogues/en/pages.json' with { type: 'json' };
import frPages from './catalogues/fr/pages.json' with { type: 'json' };
import enBrowser from './catalogues/en/browser.json' with { type: 'json' };
import frBrowser from './catalogues/fr/browser.json' with { type: 'json' };
import enCore from './catalogues/en/core.json' with { type: 'json' };
import frCore from './catalogues/fr/core.json' with { type: 'json' };

// A catalogue: nested objects whose leaves are i18next strings ("{{count}} accounts").
export type Catalogue = { [key: string]: string | Catalogue };

// Every catalogue, by language then namespace: imported, so esbuild bundles them and a
// missing file fails the build rather than a page.
export const catalogues: Record<Locale, Record<Namespace, Catalogue>> = {
  en: { pages: enPages, browser: enBrowser, core: enCore },
  fr: { pages: frPages, browser: frBrowser, core: frCore },
};
