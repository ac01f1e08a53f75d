import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { chooseLocale } from '../../../common/i18n/choose-locale.ts';
import type { Locale } from '../../../common/i18n/locales.ts';
import { LanguagePreferences } from '../i18n/language-preferences.ts';
import { isLocalRequest } from '../local/local-peer.ts';

declare module 'fastify' {
  interface FastifyInstance {
    // The stored language preference of an account ("My account"), or null: the account
    // follows its browser.
    getLanguagePreference: (login: string) => string | null;
    // The accounts' language preferences (languages.store_file).
    languagePreferences: LanguagePreferences;
  }
  interface FastifyRequest {
    // The language this request is answered in (pages, messages, API errors).
    readonly locale: Locale;
    chosenLocale: Locale | null;
  }
}

// Decorates `request.locale`: the logged-in account's preference, else Accept-Language, else
// English. On the local socket the order turns: no browser reaches it (a browser cannot open a Unix
// socket, and one behind a proxy is refused for its Origin), so its Accept-Language is the CLI's
// (the terminal's LC_ALL, LC_MESSAGES or LANG, sent only when one is set) and wins; the preference
// applies there only to a request without it. Worked out on first use and kept, so that requests
// that show no words (static files, keep-alive loads of the API's lists) never parse the header. A
// preference changed takes effect at the next request; pages already open keep theirs until
// reloaded (their push socket chose its language when it opened).
export default fp(
  async (app: FastifyInstance) => {
    const { accounts } = app.core;
    const preferences = new LanguagePreferences({
      file: app.config.languages.storeFile,
      getUid: (login) => accounts.getAccount(login)?.uid ?? null,
      warn: (message) => app.log.warn(message),
    });
    await preferences.load();
    // An account deleted, renamed (its old login) or given another uid loses its entry.
    const forget = (login: string) =>
      void preferences.forgetIfGone(login).catch((error: unknown) => app.log.error({ err: error }, 'languages file'));
    const stops = [
      app.core.events.on('account-removed', ({ data }) => forget(data.login)),
      app.core.events.on('account-changed', ({ data }) => forget(data.login)),
    ];
    app.addHook('onClose', async () => stops.forEach((stop) => stop()));
    app.decorate('languagePreferences', preferences);
    app.decorate('getLanguagePreference', (login: string): string | null => preferences.get(login));
    app.decorateRequest('chosenLocale', null);
    app.decorateRequest('locale', {
      getter(this: FastifyRequest): Locale {
        if (this.chosenLocale === null) {
          const login = this.session?.login;
          const terminal = isLocalRequest(this) && Boolean(this.headers['accept-language']);
          const preference = login && !terminal ? app.getLanguagePreference(login) : null;
          this.chosenLocale = chooseLocale(preference, this.headers['accept-language']);
        }
        return this.chosenLocale;
      },
    });
  },
  { name: 'licorn-locale', dependencies: ['licorn-core', 'licorn-sessions'] },
);
