import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { chooseLocale } from '../../../common/i18n/choose-locale.ts';
import type { Locale } from '../../../common/i18n/locales.ts';

declare module 'fastify' {
  interface FastifyInstance {
    // The stored language preference of an account ("My account"), or null: set by the
    // plugin that keeps preferences; until then, every account follows its browser.
    getLanguagePreference: (login: string) => string | null;
  }
  interface FastifyRequest {
    // The language this request is answered in (pages, messages, API errors).
    readonly locale: Locale;
    chosenLocale: Locale | null;
  }
}

// Decorates `request.locale`: the logged-in account's preference, else Accept-Language, else
// English. Worked out on first use and kept, so that requests that show no words (static
// files, keep-alive loads of the API's lists) never parse the header.
export default fp(
  async (app: FastifyInstance) => {
    app.decorate('getLanguagePreference', (_login: string): string | null => null);
    app.decorateRequest('chosenLocale', null);
    app.decorateRequest('locale', {
      getter(this: FastifyRequest): Locale {
        if (this.chosenLocale === null) {
          const login = this.session?.login;
          const preference = login ? app.getLanguagePreference(login) : null;
          this.chosenLocale = chooseLocale(preference, this.headers['accept-language']);
        }
        return this.chosenLocale;
      },
    });
  },
  { name: 'licorn-locale', dependencies: ['licorn-sessions'] },
);
