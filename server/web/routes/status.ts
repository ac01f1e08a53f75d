import type { FastifyInstance } from 'fastify';
import { getCsrfToken } from '../plugins/csrf.ts';

// The Status page, for admins: its charts are drawn in the browser (web/status/) from the
// `status` topic.
export default async function statusRoutes(app: FastifyInstance): Promise<void> {
  app.get('/status/', { config: { admin: true } }, async (request, reply) =>
    reply.view('status/index.njk', {
      me: request.session,
      csrfToken: getCsrfToken(request, reply),
      page: 'status',
      topics: 'status',
    }),
  );
}
