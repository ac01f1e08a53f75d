import fp from 'fastify-plugin';
import type { FastifyReply } from 'fastify';
import { SessionStore, type WebSession } from '../sessions/session-store.ts';
import { setCookie } from './cookies.ts';
import { isLocalRequest } from '../local/local-peer.ts';

// The session cookie. `__Host-` makes browsers insist on Secure, Path=/ and no Domain.
export const sessionCookie = '__Host-licorn-session';

// Sets the cookie of a freshly opened session.
export function setSessionCookie(reply: FastifyReply, session: WebSession, maxAgeMs: number): void {
  setCookie(reply, {
    name: sessionCookie,
    value: session.id,
    path: '/',
    secure: true,
    httpOnly: true,
    sameSite: 'strict',
    maxAge: Math.floor(maxAgeMs / 1000),
  });
}

// Removes the session cookie (logout, expired session).
export function clearSessionCookie(reply: FastifyReply): void {
  setCookie(reply, {
    name: sessionCookie,
    value: '',
    path: '/',
    secure: true,
    httpOnly: true,
    sameSite: 'strict',
    expires: new Date(0),
  });
}

// Keeps server-side sessions (across restarts, in config.sessions.storeFile) and attaches
// the live one, with its rights as the account files say now, (or null) to every request.
export default fp(
  async (app) => {
    const sessions = new SessionStore({
      idleTimeoutMs: app.config.sessions.idleTimeoutMs,
      absoluteTimeoutMs: app.config.sessions.absoluteTimeoutMs,
      maxPerAccount: app.config.sessions.maxPerAccount,
      events: app.core.events,
      rights: app.core.auth,
      file: app.config.sessions.storeFile,
      warn: (message) => app.log.warn(message),
    });
    await sessions.restore();
    app.decorate('sessions', sessions);
    app.decorateRequest('session', null);
    app.addHook('onRequest', (request, reply, done) => {
      // The local socket's callers are known by their peer credentials (plugins/local-socket.ts).
      if (isLocalRequest(request)) return done();
      const id = request.cookies[sessionCookie];
      request.session = sessions.use(id);
      if (id && !request.session) clearSessionCookie(reply);
      done();
    });
    app.addHook('onClose', async () => sessions.close());
  },
  { name: 'licorn-sessions', dependencies: ['licorn-core', 'licorn-cookies'] },
);
