import type { FastifyInstance } from 'fastify';
import { getCsrfToken } from '../plugins/csrf.ts';
import { statusCardsTopic } from '../../../common/status-charts.ts';
import { getSessionLists, getSessionRowData, withPresent } from '../push/topics/sessions-topic.ts';

// The dashboard, for admins ("My account" is in my-account.ts).
export default async function dashboardRoutes(app: FastifyInstance): Promise<void> {
  app.get('/', async (request, reply) => {
    const me = request.session!;
    if (!me.isAdmin) return reply.redirect('/me/', 302);
    const system = await app.core.getSystemInfo();
    // This page is about to connect: its own session is listed as connected from the start.
    const presence = withPresent(app.hub.presence, me.publicId);
    const lists = getSessionLists(app.sessions, presence);
    const sessions = lists.connected.map((session) => getSessionRowData(session, presence));
    const awaySessions = lists.away.map((session) => getSessionRowData(session, presence));
    return reply.view('dashboard/index.njk', {
      me,
      csrfToken: getCsrfToken(request, reply),
      page: 'dashboard',
      topics: `sessions accounts-summary ${statusCardsTopic}`,
      system,
      sessions,
      awaySessions,
      counts: app.core.accounts.getCounts(),
      // The machine itself, or a sandbox root (tests, the demo).
      sandbox: app.core.isRealMachine ? null : app.core.root,
    });
  });
}
