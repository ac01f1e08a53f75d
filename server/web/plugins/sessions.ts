import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SessionStore, type WebSession } from '../sessions/session-store.ts';
import { setCookie } from './cookies.ts';
import { isLocalRequest } from '../local/local-peer.ts';

declare module 'fastify' {
  interface FastifyInstance {
    // Adds a check of who a request is, run after its session cookie's, in the order added.
    addCallerStep(step: CallerStep): void;
  }
}

// Who a request is, for callers that have no session cookie (the local socket's peer, an API
// token): null at once for a request that is not its kind, else the promise of its check.
export type CallerStep = (request: FastifyRequest) => Promise<void> | null;

// Runs `steps` from `from` on, each pending one before the next; then `done`. A step that
// throws is answered as one that rejects: after a pending step this runs in a promise's
// callback, where a throw would leave the request unanswered and its rejection unhandled.
function runSteps(steps: CallerStep[], from: number, request: FastifyRequest, done: (error?: Error) => void): void {
  for (let index = from; index < steps.length; index++) {
    let pending: Promise<void> | null;
    try {
      pending = steps[index]!(request);
    } catch (error) {
      return done(error as Error);
    }
    if (pending) return void pending.then(() => runSteps(steps, index + 1, request, done), done);
  }
  done();
}

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
    const steps: CallerStep[] = [];
    app.decorate('addCallerStep', (step: CallerStep) => void steps.push(step));
    // One hook for every way a caller is known, rather than one per plugin: a hook turn on
    // every request each (the keep-alive figures, bench/README.md, fifteenth session).
    app.addHook('onRequest', (request, reply, done) => {
      // The local socket's callers are known by their peer credentials (plugins/local-socket.ts).
      if (!isLocalRequest(request)) {
        const id = request.cookies[sessionCookie];
        request.session = sessions.use(id);
        if (id && !request.session) clearSessionCookie(reply);
      }
      runSteps(steps, 0, request, done);
    });
    app.addHook('onClose', async () => sessions.close());
  },
  { name: 'licorn-sessions', dependencies: ['licorn-core', 'licorn-cookies'] },
);
