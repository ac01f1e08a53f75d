import type { FastifyInstance } from 'fastify';
import { randomBytes } from 'node:crypto';
import { CoreError } from '../../core/errors.ts';
import { getCsrfToken } from '../plugins/csrf.ts';
import { getSecurityHeaders } from '../plugins/security-headers.ts';
import { isSameOrigin } from './push-socket.ts';
import { handleTerminalSocket } from '../terminal/terminal-socket.ts';
import { answerConnectRefusal } from '../push/answer-connect-refusal.ts';
import { isLocalRequest } from '../local/local-peer.ts';
import { quoted, say } from '../../core/messages.ts';

// The site's CSP with one addition for the terminal page: xterm.js draws through <style>
// elements it creates, which the site's styles (default-src 'self') refuse; they are allowed by
// a nonce made for each answer (web/terminal/style-nonce.ts hands it to them), never by
// 'unsafe-inline'.
function getTerminalCsp(nonce: string): string {
  return `${getSecurityHeaders()['content-security-policy']!};style-src 'self' 'nonce-${nonce}'`;
}

// The id of a terminal in a URL: what TerminalManager makes (22 base64url characters).
const terminalIdPattern = /^[A-Za-z0-9_-]{22}$/;

// The Terminal page (`/terminal/`, tabs of shells) and its socket (`/terminal/ws/<id>`).
// Who may is the core's rule (terminal.allow, the account's shell), read now: 403 otherwise.
export default async function terminalRoutes(app: FastifyInstance): Promise<void> {
  const refuseUnlessAllowed = (login: string) => {
    const refusal = app.terminals.getRefusal(login);
    if (refusal) throw new CoreError('permission-denied', refusal, { field: 'terminal' });
  };

  app.get('/terminal/', async (request, reply) => {
    const me = request.session!;
    refuseUnlessAllowed(me.login);
    const nonce = randomBytes(16).toString('base64');
    reply.header('content-security-policy', getTerminalCsp(nonce));
    return reply.view('terminal/index.njk', {
      me,
      csrfToken: getCsrfToken(request, reply),
      page: 'terminal',
      styleNonce: nonce,
      osc52: app.config.terminal.osc52,
      terminals: JSON.stringify(app.terminals.listForSession(me.publicId, request.locale)),
    });
  });

  // Same rules as /ws: a session (the auth guard), this site's Origin, the connection rate
  // (shared with the push channel), checked before the upgrade; then the terminal must be one
  // this session opened (the CSRF-checked POST /api/v1/terminals), and the account must still
  // be allowed one.
  app.get<{ Params: { id: string } }>(
    '/terminal/ws/:id',
    {
      websocket: true,
      preValidation: async (request, reply) => {
        const session = request.session!;
        if (!isLocalRequest(request) && !isSameOrigin(request.headers.origin, request.headers.host)) {
          request.log.warn({ origin: request.headers.origin, login: session.login }, 'refused a terminal socket');
          throw new CoreError(
            'permission-denied',
            say('web.origin', { origin: quoted(request.headers.origin ?? null) }),
            { field: 'origin' },
          );
        }
        refuseUnlessAllowed(session.login);
        const { id } = request.params;
        if (!terminalIdPattern.test(id) || !app.terminals.get(id, session.publicId)) {
          throw new CoreError('not-found', say('web.terminals.notFound', { id: quoted(id.slice(0, 40)) }), {
            field: 'id',
          });
        }
        const viewer = { sessionId: session.id, publicId: session.publicId, login: session.login, isAdmin: false };
        const refusal = app.hub.admitSocket(viewer, request.ip);
        if (refusal) return answerConnectRefusal(request, reply, refusal);
      },
    },
    (socket, request) => {
      const session = request.session!;
      const terminal = app.terminals.get(request.params.id, session.publicId);
      if (!terminal) return socket.close(4000, 'ended');
      handleTerminalSocket(socket, {
        terminal,
        terminals: app.terminals,
        getLogin: (use) =>
          (use ? app.sessions.use(session.id) : app.sessions.getByPublicId(session.publicId))?.login ?? null,
        log: request.log,
      });
    },
  );
}
