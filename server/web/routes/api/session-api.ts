import type { FastifyInstance } from 'fastify';
import { checkLogin, describeLoginRefusal } from '../../auth/check-login.ts';
import { CoreError } from '../../../core/errors.ts';
import { describeError } from '../../plugins/errors.ts';
import { setSessionCookie } from '../../plugins/sessions.ts';

const loginBody = {
  type: 'object',
  required: ['login', 'password'],
  additionalProperties: false,
  // No length limits, as on the form: an odd login or password takes a wrong one's path.
  properties: { login: { type: 'string' }, password: { type: 'string' } },
} as const;

// GET /api/v1/session (who am I), POST /api/v1/session (log in, for a remote `licorn` or a
// script), /api/v1/sessions and /api/v1/system (admins).
export default async function sessionApiRoutes(app: FastifyInstance): Promise<void> {
  app.get('/api/v1/session', async (request) => {
    const me = request.session!;
    return { login: me.login, fullName: me.fullName, isAdmin: me.isAdmin, csrfToken: me.csrfToken };
  });

  // The login form's checks, throttle, padding and log lines, as JSON: the session cookie
  // and the CSRF token its changes need. No CSRF token asked: the API takes JSON only, which
  // no cross-site page can send (its content type needs a CORS preflight, never granted).
  app.post<{ Body: { login: string; password: string } }>(
    '/api/v1/session',
    {
      config: { public: true, csrf: false },
      schema: {
        tags: ['session'],
        summary: 'Log in with a password (the session cookie, and the CSRF token its changes need)',
        body: loginBody,
      },
    },
    async (request, reply) => {
      const { login, password } = request.body;
      const outcome = await checkLogin(app, request, login, password, Date.now());
      if (!outcome.ok) {
        // The form's words in the reader's language, its key beside as every refusal has it;
        // not thrown to the error handler, whose line would repeat checkLogin's.
        const { message, retryAfterS } = describeLoginRefusal(outcome);
        if (retryAfterS !== null) reply.header('retry-after', retryAfterS);
        const error = new CoreError(outcome.status === 401 ? 'permission-denied' : 'busy', message, {
          field: 'password',
        });
        return reply.code(outcome.status).send(describeError(error, request.id, request.locale).body);
      }
      // A browser's session is replaced, as by the form (a local or token caller keeps its own).
      if (request.session && request.session.via === undefined) app.sessions.destroy(request.session.id, 'logout');
      const { mustChangePassword } = outcome;
      const session = app.sessions.create(outcome.account, request.ip, request.headers['user-agent'] ?? '', {
        mustChangePassword,
      });
      request.log.info(
        { login, address: request.ip, admin: session.isAdmin, mustChangePassword, api: true },
        'logged in',
      );
      setSessionCookie(reply, session, app.config.sessions.absoluteTimeoutMs);
      const { fullName, isAdmin, csrfToken } = session;
      return {
        login: session.login,
        fullName,
        isAdmin,
        csrfToken,
        ...(mustChangePassword ? { mustChangePassword } : {}),
      };
    },
  );

  app.get('/api/v1/sessions', { config: { admin: true } }, async () =>
    app.sessions.list().map((session) => ({
      id: session.publicId,
      login: session.login,
      fullName: session.fullName,
      isAdmin: session.isAdmin,
      address: session.address,
      since: new Date(session.createdAt).toISOString(),
      lastSeen: new Date(session.lastSeenAt).toISOString(),
    })),
  );

  app.get('/api/v1/system', { config: { admin: true } }, async () => app.core.getSystemInfo());
}
