import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import { CoreError } from '../../core/errors.ts';
import { changePasswordPath } from '../auth/change-password-path.ts';
import { quoted, say } from '../../core/messages.ts';

// Whether a request is from code (the API, the CLI) rather than a person's browser page.
export function isApiRequest(request: FastifyRequest): boolean {
  const { url } = request;
  return url.startsWith('/api/') || url === '/ws' || url.startsWith('/ws?') || url.startsWith('/terminal/ws/');
}

// Every route needs a session unless marked `config.public`; pages send the browser to the
// login form (302, with `next`), the API answers 401. Routes marked `config.admin` answer 403
// to other accounts, and the attempt is logged as a possible break-in.
export default fp(
  async (app) => {
    app.addHook('onRequest', (request, reply, done) => {
      const config = request.routeOptions.config;
      if (config.public) return done();
      if (!request.session) {
        if (isApiRequest(request) || request.method !== 'GET') {
          return done(new CoreError('permission-denied', say('web.session.none'), { field: 'session' }));
        }
        // Answering ends the request: the hook must not call done() after it.
        reply.redirect(`/login/?next=${encodeURIComponent(request.url)}`, 302);
        return;
      }
      // A password that must be changed first (PAM's chauthtok): nothing else until it is.
      if (request.session.mustChangePassword) {
        if (isApiRequest(request) || request.method !== 'GET') {
          const login = quoted(request.session.login);
          const message = say('web.session.mustChange', { login, path: changePasswordPath });
          return done(new CoreError('permission-denied', message, { field: 'password' }));
        }
        reply.redirect(`${changePasswordPath}?next=${encodeURIComponent(request.url)}`, 303);
        return;
      }
      if (config.admin && !request.session.isAdmin) {
        request.log.warn(
          { login: request.session.login, url: request.url, address: request.ip },
          'possible break-in attempt: non-admin on an admin route',
        );
        return done(
          new CoreError(
            'permission-denied',
            say('web.session.adminsOnly', { login: quoted(request.session.login), url: request.url }),
            { field: 'url' },
          ),
        );
      }
      done();
    });
  },
  { name: 'licorn-auth-guard', dependencies: ['licorn-sessions'] },
);
