import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { passwordChangeFields } from '../auth/password-change-fields.ts';
import { CoreError } from '../../core/errors.ts';
import { getCsrfToken } from '../plugins/csrf.ts';
import { describeError } from '../plugins/errors.ts';
import { createOwnToken, deleteOwnToken, getTokenView } from '../auth/own-tokens.ts';
import { quoted, say } from '../../core/messages.ts';

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

const savedMessages: Record<string, string> = {
  profile: 'Your profile was saved.',
  password: 'Your password was changed.',
  'token-deleted': 'The API token was deleted: it works no more.',
};
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
    extra: { errors?: Record<string, string>; values?: object; newToken?: { name: string; secret: string } } = {},
  ) => {
    const me = request.session!;
    const account = app.core.accounts.getAccount(me.login);
    if (!account)
      throw new CoreError('not-found', say('tokens.accountGone', { login: quoted(me.login) }), { field: 'login' });
    const saved = savedMessages[(request.query as { saved?: string }).saved ?? ''] ?? null;
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
