import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CoreError } from '../../core/errors.ts';
import { changePasswordPath } from '../auth/change-password-path.ts';
import { getSafeNext } from '../auth/safe-next.ts';
import { getCsrfToken } from '../plugins/csrf.ts';
import { describeError } from '../plugins/errors.ts';

interface ChangePasswordBody { newPassword: string; confirmPassword: string; next?: string; _csrf?: string }

const changePasswordSchema = {
  type: 'object',
  required: ['newPassword', 'confirmPassword'],
  additionalProperties: false,
  properties: {
    newPassword: { type: 'string', maxLength: 4096 }, confirmPassword: { type: 'string', maxLength: 4096 },
    next: { type: 'string', maxLength: 2048 }, _csrf: { type: 'string', maxLength: 128 },
  },
} as const;

// The change page's address, keeping where to go once the password is changed.
export function getChangePasswordUrl(next: string): string {
  return next === '/' ? changePasswordPath : `${changePasswordPath}?next=${encodeURIComponent(next)}`;
}

// The page a login whose password must be changed (`passwd -e`, past its maximum age) lands
// on, as PAM's chauthtok: the new password typed twice, under the same policy as "My account".
// The auth guard keeps such a session away from every other route; this route is public for
// the guard and checks the session itself, so that it is the one page such a session reaches.
export default async function changePasswordRoutes(app: FastifyInstance): Promise<void> {
  const render = (request: FastifyRequest, reply: FastifyReply, next: string, errors: Record<string, string> = {}) =>
    reply.view('login/change-password.njk', {
      csrfToken: getCsrfToken(request, reply), me: null, page: 'change-password', next, errors,
      login: request.session!.login,
    });

  // Anyone else is sent where they belong: the login form, or on to `next`.
  const getDetour = (request: FastifyRequest, next: string): string | null => {
    if (!request.session) return `/login/?next=${encodeURIComponent(next)}`;
    return request.session.mustChangePassword ? null : next;
  };

  app.get<{ Querystring: { next?: string } }>(changePasswordPath, { config: { public: true } },
    async (request, reply) => {
      const next = getSafeNext(request.query.next);
      const detour = getDetour(request, next);
      return detour ? reply.redirect(detour, 303) : render(request, reply, next);
    });

  const postOptions = { config: { public: true }, schema: { body: changePasswordSchema } };
  app.post<{ Body: ChangePasswordBody }>(changePasswordPath, postOptions,
    async (request, reply) => {
      const next = getSafeNext(request.body.next);
      const detour = getDetour(request, next);
      if (detour) return reply.redirect(detour, 303);
      const session = request.session!;
      const { newPassword, confirmPassword } = request.body;
      try {
        if (newPassword !== confirmPassword) {
          throw new CoreError('invalid-argument', 'The two new passwords differ', { field: 'confirmPassword' });
        }
        // pam_unix refuses to keep the same password ("Password unchanged"): so do we.
        if ((await app.core.auth.authenticate(session.login, newPassword, request.ip)).ok) {
          const message = 'The new password must differ from the current one';
          throw new CoreError('invalid-argument', message, { field: 'password' });
        }
        // This session's own change: it stays, the account's other sessions end.
        await app.sessions.applyOwnPasswordChange(session.id, () => app.core.accounts.setPassword(session.login, newPassword));
      } catch (error) {
        if (!(error instanceof CoreError) || !error.field) throw error;
        const { status, body } = describeError(error, request.id);
        reply.code(status);
        return render(request, reply, next, { [body.field!]: body.message });
      }
      app.sessions.clearMustChangePassword(session.id);
      request.log.info({ login: session.login, address: request.ip }, 'changed an expired password at login');
      return reply.redirect(next, 303);
    });
}
