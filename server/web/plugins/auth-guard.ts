import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import { CoreError } from '../../core/errors.ts';
import { changePasswordPath } from '../auth/change-password-path.ts';
import { quoted, say } from '../../core/messages.ts';
import { prependHook, type RouteHook } from './route-hooks.ts';

// Whether a request is from code (the API, the CLI) rather than a person's browser page.
export function isApiRequest(request: FastifyRequest): boolean {
  const { url } = request;
  return url.startsWith('/api/') || url === '/ws' || url.startsWith('/ws?') || url.startsWith('/terminal/ws/');
}

// The guard of a route that needs a session (and an admin's, when `admin`): pages send the
// browser to the login form (302, with `next`), the API answers 401, a password that must
// be changed first allows nothing else, and a non-admin on an admin route gets 403, logged
// as a possible break-in.
function makeGuard(admin: boolean): RouteHook {
  const guard: RouteHook = (request, reply, done) => {
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
    if (admin && !request.session.isAdmin) {
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
  };
  guards.add(guard);
  return guard;
}

const guards = new WeakSet<object>();

// Whether a hook is one of the auth guards (plugins/route-checks.ts checks every route has one).
export function isAuthGuard(hook: unknown): boolean {
  return typeof hook === 'function' && guards.has(hook);
}

// The guard of the not-found answer: an unknown URL asks for a session as a known one does,
// so that nobody learns without one which URLs exist. Given to setNotFoundHandler
// (plugins/errors.ts), which takes it as a preValidation hook.
export const guardNotFound: RouteHook = makeGuard(false);

// Every route needs a session unless marked `config.public`; routes marked `config.admin` an
// admin's. The guard is an onRequest hook of each route that needs it, chosen when the route
// is declared (the session is attached by the app's own onRequest hooks, which run first):
// a public page (the login form) runs none, and none reads the route's options per request
// (`request.routeOptions` builds an object at each read), which showed in the login page's
// keep-alive figures (bench/README.md, eleventh session). Routes declared before this plugin
// (the static files, public) are not guarded; the authorization matrix test checks them all.
export default fp(
  async (app) => {
    const guards = { member: makeGuard(false), admin: makeGuard(true) };
    app.addHook('onRoute', (route) => {
      if (route.config?.public) return;
      prependHook(route, 'onRequest', route.config?.admin ? guards.admin : guards.member);
    });
  },
  { name: 'licorn-auth-guard', dependencies: ['licorn-sessions'] },
);
