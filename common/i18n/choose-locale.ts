import Negotiator from 'negotiator';
import { defaultLocale, isLocale, type Locale, locales } from './locales.ts';

// Browsers send 2–10 tags ("fr-CA,fr;q=0.9,en;q=0.8"): a longer header is nobody's browser,
// and Negotiator's parse and sort of 5,000 tags costs milliseconds on the event loop, anonymously.
export const acceptLanguageMaxChars = 256;

// The language of a request: the account's own preference ("My account") when it has one,
// else the best of the browser's Accept-Language that Licorn speaks (its first 256 characters,
// cut at a comma), else English. Negotiator (jshttp) reads the q-values and regional tags ("fr-CA" → fr).
export function chooseLocale(preference: string | null | undefined, acceptLanguage: string | undefined): Locale {
  if (isLocale(preference)) return preference;
  if (!acceptLanguage) return defaultLocale;
  let header = acceptLanguage;
  if (header.length > acceptLanguageMaxChars) {
    header = header.slice(0, acceptLanguageMaxChars);
    header = header.slice(0, Math.max(0, header.lastIndexOf(',')));
  }
  const [best] = new Negotiator({ headers: { 'accept-language': header } }).languages([...locales]);
  return isLocale(best) ? best : defaultLocale;
}
