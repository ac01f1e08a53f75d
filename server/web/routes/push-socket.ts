import type { FastifyInstance } from 'fastify';
import { CoreError } from '../../core/errors.ts';

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
// a foreign Origin is refused here, before the upgrade.
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
    const session = request.session!;
    app.hub.handleSocket(socket, { sessionId: session.id, publicId: session.publicId, login: session.login, isAdmin: session.isAdmin });
  });
}
