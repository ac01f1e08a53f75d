import fp from 'fastify-plugin';
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CoreError } from '../../core/errors.ts';
import { createRandomToken } from '../auth/create-random-token.ts';
import { isLocalRequest } from '../local/local-peer.ts';
import { say } from '../../core/messages.ts';
import { prependHook } from './route-hooks.ts';

// Before login there is no session to hold a token: the login form uses a double-submit
// cookie instead (SameSite=Strict, so another site can neither read nor send it).
const anonymousCookie = '__Host-licorn-csrf';
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

// The CSRF token a page must embed in its forms (and the browser client in its requests).
export function getCsrfToken(request: FastifyRequest, reply: FastifyReply): string {
  if (request.session) return request.session.csrfToken;
  let token = request.cookies[anonymousCookie];
  if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) {
    token = createRandomToken();
    // Written as a ready header: the token needs no encoding, and this is the login page's
    // hot path.
    reply.header('set-cookie', `${anonymousCookie}=${token}; Path=/; HttpOnly; Secure; SameSite=Strict`);
  }
  return token;
}

function isSame(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

// Refuses (403, nothing changed) a state-changing request without the right token, taken
// from the `x-csrf-token` header or the `_csrf` form field. Not on the local socket: no
// browser reaches it (a request with an Origin is refused there), and its caller is known by
// the kernel, not by an ambient cookie. Nor with an API token: it carries no cookie
// (plugins/api-tokens.ts refuses both).
export function checkCsrf(request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void {
  if (safeMethods.has(request.method) || request.apiToken || isLocalRequest(request)) return done();
  const expected = request.session?.csrfToken ?? request.cookies[anonymousCookie];
  const body = request.body as Record<string, unknown> | undefined;
  const sent = request.headers['x-csrf-token'] ?? (typeof body?._csrf === 'string' ? body._csrf : undefined);
  if (!expected || typeof sent !== 'string' || !isSame(sent, expected)) {
    request.log.warn(
      { url: request.url, login: request.session?.login },
      'refused a request without a valid CSRF token',
    );
    return done(new CoreError('permission-denied', say('web.csrf'), { field: '_csrf' }));
  }
  done();
}

// Whether a route's requests may change state: a method other than GET, HEAD and OPTIONS.
export function mayChangeState(method: string | string[]): boolean {
  return (Array.isArray(method) ? method : [method]).some((one) => !safeMethods.has(one.toUpperCase()));
}

// checkCsrf as a preHandler of every route that takes a state-changing method, chosen when
// the route is declared: a GET page runs none (the login page's keep-alive figures,
// bench/README.md, eleventh session). Not on a route marked `csrf: false`, one a cross-site
// page cannot send (JSON only). The not-found answer has it too (plugins/errors.ts).
export default fp(
  async (app) => {
    app.addHook('onRoute', (route) => {
      if (route.config?.csrf === false || !mayChangeState(route.method)) return;
      prependHook(route, 'preHandler', checkCsrf);
    });
  },
  { name: 'licorn-csrf', dependencies: ['licorn-sessions'] },
);
