import type { FastifyInstance } from 'fastify';
import { getCsrfToken } from '../plugins/csrf.ts';

// How many entries the Audit page shows (the file keeps them all).
export const auditPageSize = 200;

// The Audit page, for admins: the latest entries of the audit log, then new ones live
// through the `audit` topic.
export default async function auditRoutes(app: FastifyInstance): Promise<void> {
  app.get('/audit/', { config: { admin: true } }, async (request, reply) =>
    reply.view('audit/index.njk', {
      me: request.session,
      csrfToken: getCsrfToken(request, reply),
      page: 'audit',
      topics: 'audit',
      entries: await app.core.audit.readRecent(auditPageSize),
      file: app.core.audit.file,
    }),
  );
}
