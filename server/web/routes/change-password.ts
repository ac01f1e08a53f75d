import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { passwordChangeFields } from '../auth/password-change-fields.ts';
import { CoreError } from '../../core/errors.ts';
import { changePasswordPath } from '../auth/change-password-path.ts';
import { getSafeNext } from '../auth/safe-next.ts';
import { getCsrfToken } from '../plugins/csrf.ts';
import { describeError } from '../plugins/errors.ts';
import { say } from '../../core/messages.ts';

interface ChangePasswordBody {
  currentPassword: string;
  newPassword: string;
  confirmPassword: string;
  next?: string;
  _csrf?: string;
}

const changePasswordSchema = {
  type: 'object',
  required: ['currentPassword', 'newPassword', 'confirmPassword'],
  additionalProperties: false,
  properties: {
    ...passwordChangeFields,
    next: { type: 'string', maxLength: 2048 },
  },
} as const;

// The change page's address, keeping where to go once the password is changed.
export function getChangePasswordUrl(next: string): string {
  return next === '/' ? changePasswordPath : `${changePasswordPath}?next=${encodeURIComponent(next)}`;
}

// The page a login whose password must be changed (`passwd -e`, past its maximum age) lands
// on, as `login` does at a console: the current password again (PAM's chauthtok asks it),
// the new one twice, under the same policy as "My account".
// The auth guard keeps such a session away from every other route; this route is public for
// the guard and checks the session itself, so that it is the one page such a session reaches.
export default async function changePasswordRoutes(app: FastifyInstance): Promise<void> {
  const render = (request: FastifyRequest, reply: FastifyReply, next: string, errors: Record<string, string> = {}) =>
    reply.view('login/change-password.njk', {
      csrfToken: getCsrfToken(request, reply),
      me: null,
      page: 'change-password',
      next,
      errors,
      login: request.session!.login,
    });

  // Anyone else is sent where they belong: the login form, or on to `next`.
  const getDetour = (request: FastifyRequest, next: string): string | null => {
    if (!request.session) return `/login/?next=${encodeURIComponent(next)}`;
    return request.session.mustChangePassword ? null : next;
  };

  app.get<{ Querystring: { next?: string } }>(
    changePasswordPath,
    { config: { public: true } },
    async (request, reply) => {
      const next = getSafeNext(request.query.next);
      const detour = getDetour(request, next);
      return detour ? reply.redirect(detour, 303) : render(request, reply, next);
    },
  );

  const postOptions = { config: { public: true }, schema: { body: changePasswordSchema } };
  app.post<{ Body: ChangePasswordBody }>(changePasswordPath, postOptions, async (request, reply) => {
    const next = getSafeNext(request.body.next);
    const detour = getDetour(request, next);
    if (detour) return reply.redirect(detour, 303);
    const session = request.session!;
    const { currentPassword, newPassword, confirmPassword } = request.body;
    // This route's own refusals, in the page's language.
    try {
      // Counted with the login form's failures: the session is not a licence to guess.
      const { reservation, retryIn } = app.loginThrottle.reserve(session.login, request.ip);
      if (!reservation) {
        const message = say('web.passwords.tooManyWrong', { minutes: Math.ceil(retryIn / 60_000) });
        throw new CoreError('permission-denied', message, { field: 'currentPassword' });
      }
      if (!(await app.core.auth.authenticate(session.login, currentPassword, request.ip)).ok) {
        throw new CoreError('permission-denied', say('passwords.wrongCurrent'), { field: 'currentPassword' });
      }
      reservation.release();
      if (newPassword !== confirmPassword) {
        throw new CoreError('invalid-argument', say('web.passwords.differ'), { field: 'confirmPassword' });
      }
      // This session's own change: it stays, the account's other sessions end. On the real
      // machine it is PAM's chauthtok, as `login` runs it for an expired password.
      await app.sessions.applyOwnPasswordChange(session.id, () =>
        app.core.auth.changeOwnPassword(session.login, currentPassword, newPassword, request.ip),
      );
    } catch (error) {
      if (!(error instanceof CoreError) || !error.field) throw error;
      const { status, body } = describeError(error, request.id, request.locale);
      reply.code(status);
      return render(request, reply, next, { [body.field!]: body.message });
    }
    app.sessions.clearMustChangePassword(session.id);
    request.log.info({ login: session.login, address: request.ip }, 'changed an expired password at login');
    return reply.redirect(next, 303);
  });
}
