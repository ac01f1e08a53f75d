import type { FastifyInstance } from 'fastify';
import { getCsrfToken } from '../plugins/csrf.ts';
import { getSessionRowData } from '../push/topics/sessions-topic.ts';

// The dashboard, for admins ("My account" is in my-account.ts).
export default async function dashboardRoutes(app: FastifyInstance): Promise<void> {
  app.get('/', async (request, reply) => {
    const me = request.session!;
    if (!me.isAdmin) return reply.redirect('/me/', 302);
    const system = await app.core.getSystemInfo();
    const sessions = app.sessions.list().map((session) => getSessionRowData(session));
    return reply.view('dashboard/index.njk', {
      me,
      csrfToken: getCsrfToken(request, reply),
      page: 'dashboard',
      topics: 'sessions accounts-summary status',
      system,
      sessions,
      counts: app.core.accounts.getCounts(),
      mode: app.core.isRealMachine ? 'this machine' : `sandbox ${app.core.root}`,
    });
  });
}
