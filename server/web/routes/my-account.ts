import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { passwordChangeFields } from '../auth/password-change-fields.ts';
import { CoreError } from '../../core/errors.ts';
import { getCsrfToken } from '../plugins/csrf.ts';
import { describeError } from '../plugins/errors.ts';
import { createOwnToken, deleteOwnToken, getTokenView } from '../auth/own-tokens.ts';
import { quoted, say } from '../../core/messages.ts';
import { locales } from '../../../common/i18n/locales.ts';
import { getTranslator } from '../../../common/i18n/translator.ts';
import { languageChoices } from '../i18n/language-preferences.ts';

interface ProfileBody {
  fullName: string;
  shell: string;
}
interface PasswordBody {
  currentPassword: string;
  newPassword: string;
  confirmPassword: string;
}

const profileSchema = {
  type: 'object',
  required: ['fullName', 'shell'],
  additionalProperties: false,
  properties: {
    fullName: { type: 'string', maxLength: 1024 },
    shell: { type: 'string', maxLength: 4096 },
    _csrf: { type: 'string', maxLength: 128 },
  },
} as const;
const passwordSchema = {
  type: 'object',
  required: ['currentPassword', 'newPassword', 'confirmPassword'],
  additionalProperties: false,
  properties: {
    ...passwordChangeFields,
  },
} as const;

// What `?saved=` may name: its message is pages.json's me.saved.<name>, in the page's language.
const savedMessages = new Set(['profile', 'password', 'token-deleted', 'language']);
const languageSchema = {
  type: 'object',
  required: ['language'],
  additionalProperties: false,
  properties: { language: { type: 'string', maxLength: 1024 }, _csrf: { type: 'string', maxLength: 128 } },
} as const;
// The Language choice: each language in its own name (lang= on the option), then "as my browser says".
const languageOptions = [
  ...locales.map((locale) => ({ value: locale, lang: locale, name: getTranslator(locale, 'pages')('language.name') })),
  { value: 'browser', lang: null, name: null },
];
const tokenSchema = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name: { type: 'string', maxLength: 1024 }, _csrf: { type: 'string', maxLength: 128 } },
} as const;

// "My account" for every logged-in account: its facts, its full name and shell, its
// password (the current one required). Form errors come back next to their field.
export default async function myAccountRoutes(app: FastifyInstance): Promise<void> {
  const renderPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    extra: {
      errors?: Record<string, string>;
      values?: object;
      newToken?: { name: string; secret: string };
      language?: string;
    } = {},
  ) => {
    const me = request.session!;
    const account = app.core.accounts.getAccount(me.login);
    if (!account)
      throw new CoreError('not-found', say('tokens.accountGone', { login: quoted(me.login) }), { field: 'login' });
    const asked = (request.query as { saved?: string }).saved ?? '';
    const saved = savedMessages.has(asked) ? asked : null;
    return reply.view('my-account/index.njk', {
      me,
      csrfToken: getCsrfToken(request, reply),
      page: 'me',
      account,
      shells: app.core.accounts.getShells(),
      isAdmin: me.isAdmin,
      saved,
      errors: extra.errors ?? {},
      tokens: app.apiTokens.list(me.login).map(getTokenView),
      // Shown on this page only, once: the daemon keeps only its sha256.
      newToken: extra.newToken ?? null,
      canMakeTokens: me.via === undefined && account.uid !== 0,
      values: { fullName: account.fullName, shell: account.shell, ...extra.values },
      languageChoices: languageOptions,
      language: extra.language ?? app.languagePreferences.getChoice(me.login),
    });
  };

  // Re-renders the page with the error next to its field (never a bare error page).
  const renderFailure = (request: FastifyRequest, reply: FastifyReply, error: unknown, values: object) => {
    if (!(error instanceof CoreError) || !error.field) throw error;
    const { status, body } = describeError(error, request.id, request.locale);
    reply.code(status);
    return renderPage(request, reply, { errors: { [body.field!]: body.message }, values });
  };

  app.get('/me/', async (request, reply) => renderPage(request, reply));

  app.post<{ Body: ProfileBody }>('/me/profile', { schema: { body: profileSchema } }, async (request, reply) => {
    const { fullName, shell } = request.body;
    try {
      await app.core.accounts.modifyAccount(request.session!.login, { fullName, shell });
    } catch (error) {
      return renderFailure(request, reply, error, { fullName, shell });
    }
    request.session!.fullName = fullName;
    request.log.info({ login: request.session!.login }, 'changed own profile');
    return reply.redirect('/me/?saved=profile', 303);
  });

  app.post<{ Body: PasswordBody }>('/me/password', { schema: { body: passwordSchema } }, async (request, reply) => {
    const { login, id } = request.session!;
    const { currentPassword, newPassword, confirmPassword } = request.body;
    // This route's own refusals, in the page's language.
    const t = getTranslator(request.locale, 'pages');
    try {
      // Counted with the login form's failures: a session is not a licence to guess.
      const { reservation, retryIn } = app.loginThrottle.reserve(login, request.ip);
      if (!reservation) {
        const message = say('web.passwords.tooManyWrong', { minutes: Math.ceil(retryIn / 60_000) });
        throw new CoreError('permission-denied', message, { field: 'currentPassword' });
      }
      const check = await app.core.auth.authenticate(login, currentPassword, request.ip);
      if (!check.ok)
        throw new CoreError('permission-denied', say('passwords.wrongCurrent'), { field: 'currentPassword' });
      reservation.release();
      if (newPassword !== confirmPassword)
        throw new CoreError('invalid-argument', say('web.passwords.differ'), { field: 'confirmPassword' });
      // This session made the change and goes on; the account's other sessions end. On the
      // real machine the change is PAM's chauthtok (minimum age, pwquality, PAM's hash).
      await app.sessions.applyOwnPasswordChange(id, () =>
        app.core.auth.changeOwnPassword(login, currentPassword, newPassword, request.ip),
      );
    } catch (error) {
      return renderFailure(request, reply, error, {});
    }
    request.log.info({ login }, 'changed own password');
    return reply.redirect('/me/?saved=password', 303);
  });

  // The language of the pages for this account: a language, or "browser" (Accept-Language).
  // A refused value is said next to the field in the page's language, and changes no file.
  app.post<{ Body: { language: string } }>(
    '/me/language',
    { schema: { body: languageSchema } },
    async (request, reply) => {
      const { language } = request.body;
      try {
        await app.languagePreferences.set(request.session!.login, language);
      } catch (error) {
        if (!(error instanceof CoreError) || error.field !== 'language') throw error;
        const t = getTranslator(request.locale, 'pages');
        const message = t('me.language.invalid', { value: language.slice(0, 64), valid: languageChoices.join(', ') });
        reply.code(400);
        return renderPage(request, reply, { errors: { language: message } });
      }
      request.log.info({ login: request.session!.login, language }, 'changed own language');
      return reply.redirect('/me/?saved=language', 303);
    },
  );

  // API tokens: made here (the secret shown once on the page answered), deleted here.
  app.post<{ Body: { name: string } }>('/me/tokens', { schema: { body: tokenSchema } }, async (request, reply) => {
    const { name } = request.body;
    try {
      const { token, secret } = await createOwnToken(app, request, name);
      return renderPage(request, reply, { newToken: { name: token.name, secret } });
    } catch (error) {
      return renderFailure(request, reply, error, { tokenName: name });
    }
  });

  app.post<{ Params: { id: string } }>(
    '/me/tokens/:id/delete',
    {
      schema: { params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 100 } } } },
    },
    async (request, reply) => {
      await deleteOwnToken(app, request, request.params.id);
      return reply.redirect('/me/?saved=token-deleted', 303);
    },
  );
}
