import type { FastifyInstance } from 'fastify';
import { getCsrfToken } from '../plugins/csrf.ts';
import { statusPageTopic } from '../../../common/status-charts.ts';

// The Status page, for admins: its charts are drawn in the browser (web/status/) from the
// status topic of its four charts (the history of what they draw, then every sample).
export default async function statusRoutes(app: FastifyInstance): Promise<void> {
  app.get('/status/', { config: { admin: true } }, async (request, reply) =>
    reply.view('status/index.njk', {
      me: request.session,
      csrfToken: getCsrfToken(request, reply),
      page: 'status',
      topics: statusPageTopic,
    }),
  );
}
