import type { FastifyInstance } from 'fastify';
import { CoreError } from '../../core/errors.ts';
import type { WebSession } from '../sessions/session-store.ts';
import type { Viewer } from '../push/stream-message.ts';

const getViewer = (session: WebSession): Viewer =>
  ({ sessionId: session.id, publicId: session.publicId, login: session.login, isAdmin: session.isAdmin });

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

// GET /ws: the push channel. The auth guard has already refused requests without a session;
// a foreign Origin is refused here, before the upgrade. The hub closes at once a socket more
// than the session or address may hold (4429), and reads the session again on every frame.
export default async function pushSocketRoutes(app: FastifyInstance): Promise<void> {
  app.get('/ws', {
    websocket: true,
    preValidation: async (request) => {
      if (!isSameOrigin(request.headers.origin, request.headers.host)) {
        request.log.warn({ origin: request.headers.origin, login: request.session?.login }, 'refused a WebSocket from a foreign origin');
        throw new CoreError('permission-denied', `WebSocket origin ${JSON.stringify(request.headers.origin ?? null)} is not this site`, { field: 'origin' });
      }
    },
  }, (socket, request) => {
    const { id } = request.session!;
    app.hub.handleSocket(socket, {
      viewer: getViewer(request.session!),
      address: request.ip,
      getViewer: () => {
        const session = app.sessions.use(id);
        return session ? getViewer(session) : null;
      },
    });
  });
}
