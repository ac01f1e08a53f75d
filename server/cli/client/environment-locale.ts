import { defaultLocale, isLocale, type Locale } from '../../../common/i18n/locales.ts';

// The language of the person at the terminal, as POSIX says to find it for messages: LC_ALL,
// else LC_MESSAGES, else LANG (the first of them set and not empty). "fr_FR.UTF-8", "fr.UTF-8"
// and "fr_CA@euro" are French; "C", "POSIX" and languages Licorn does not speak are English.
// None set: null, and the CLI sends no Accept-Language (the account's own choice applies).
export function getEnvironmentLocale(env: NodeJS.ProcessEnv = process.env): Locale | null {
  const setting = [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((value) => value !== undefined && value !== '');
  if (setting === undefined) return null;
  const language = setting?.split(/[_.@-]/)[0]?.toLowerCase();
  return isLocale(language) ? language : defaultLocale;
}
