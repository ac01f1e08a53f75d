import Negotiator from 'negotiator';
import { defaultLocale, isLocale, type Locale, locales } from './locales.ts';

// The language of a request: the account's own preference ("My account") when it has one,
// else the best of the browser's Accept-Language that Licorn speaks, else English.
// Negotiator (jshttp) reads the header's q-values and regional tags ("fr-CA" → fr).
export function chooseLocale(preference: string | null | undefined, acceptLanguage: string | undefined): Locale {
  if (isLocale(preference)) return preference;
  if (!acceptLanguage) return defaultLocale;
  const [best] = new Negotiator({ headers: { 'accept-language': acceptLanguage } }).languages([...locales]);
  return isLocale(best) ? best : defaultLocale;
}
