import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { CoreError } from '../../core/errors.ts';
import type { WebSession } from '../sessions/session-store.ts';
import type { Viewer } from '../push/stream-message.ts';
import { connectHoldMs, maxHeldConnects } from '../push/push-limits.ts';
import { answerConnectRefusal } from '../push/answer-connect-refusal.ts';
import { waitUnlessStopping } from '../plugins/stopping-signal.ts';
import { isLocalRequest } from '../local/local-peer.ts';
import { quoted, say } from '../../core/messages.ts';

const getViewer = (session: WebSession): Viewer => ({
  sessionId: session.id,
  publicId: session.publicId,
  login: session.login,
  isAdmin: session.isAdmin,
});

// Whether a WebSocket's Origin is this site: same scheme, host and port as the request.
export function isSameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (!origin || !host) return false;
  try {
    const url = new URL(origin);
    return url.protocol === 'https:' && url.host === host.toLowerCase();
  } catch {
    return false;
  }
}

// @fastify/websocket's error handler (its default logs each error with its stack, and cuts the
// socket). A client's protocol error (a frame past maxFrameBytes, bad UTF-8) is the hub's: it
// counts it, logs at a bounded rate, and holds the socket unread before cutting it. A network
// error (a client gone) is routine; anything else is a fault of ours.
export function handleWebSocketError(
  error: Error & { code?: string; syscall?: string },
  socket: WebSocket,
  request: FastifyRequest,
): void {
  if (error.code?.startsWith('WS_ERR_')) return;
  if (error.syscall) request.log.debug({ err: error }, 'websocket network error');
  else request.log.error({ err: error }, 'websocket handler failed');
  socket.terminate();
}

// GET /ws: the push channel. The auth guard has already refused requests without a session;
// a foreign Origin is refused here, before the upgrade, and so is a connection past the
// session's or the address's connection rate (429). The hub closes at once a socket more
// than the session or address may hold (4429), and reads the session again on every frame.
export default async function pushSocketRoutes(app: FastifyInstance): Promise<void> {
  // Refused upgrades being held until their retry time (at most maxHeldConnects).
  let held = 0;
  app.get(
    '/ws',
    {
      websocket: true,
      preValidation: async (request, reply) => {
        // The local socket has no Origin rule: it refuses any request with one.
        if (!isLocalRequest(request) && !isSameOrigin(request.headers.origin, request.headers.host)) {
          request.log.warn(
            { origin: request.headers.origin, login: request.session?.login },
            'refused a WebSocket from a foreign origin',
          );
          throw new CoreError(
            'permission-denied',
            say('web.origin', { origin: quoted(request.headers.origin ?? null) }),
            { field: 'origin' },
          );
        }
        // Too fast (a script reconnecting at once): a short 429 before the upgrade, held for
        // connectHoldMs, counted and logged by the hub at a bounded rate, not an error logged
        // per attempt.
        const refusal = app.hub.admitSocket(getViewer(request.session!), request.ip);
        if (refusal) {
          if (held < maxHeldConnects) {
            held += 1;
            await waitUnlessStopping(connectHoldMs, app.stopping);
            held -= 1;
          }
          return answerConnectRefusal(request, reply.header('connection', 'close'), refusal);
        }
      },
    },
    (socket, request) => {
      const { id } = request.session!;
      app.hub.handleSocket(socket, {
        viewer: getViewer(request.session!),
        address: request.ip,
        // The page's language, as the upgrade request says it (its preference or Accept-Language).
        locale: request.locale,
        getViewer: () => {
          const session = app.sessions.use(id);
          return session ? getViewer(session) : null;
        },
      });
    },
  );
}
