import type { FastifyInstance } from 'fastify';

// GET /api/v1/session (who am I), /api/v1/sessions and /api/v1/system (admins).
export default async function sessionApiRoutes(app: FastifyInstance): Promise<void> {
  app.get('/api/v1/session', async (request) => {
    const me = request.session!;
    return { login: me.login, fullName: me.fullName, isAdmin: me.isAdmin, csrfToken: me.csrfToken };
  });

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
