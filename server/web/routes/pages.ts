import type { FastifyInstance } from 'fastify';
import { CoreError } from '../../core/errors.ts';
import { getCsrfToken } from '../plugins/csrf.ts';
import { getSessionRowData } from '../push/topics/sessions-topic.ts';

// The pages: the dashboard for admins, "My account" for everyone.
export default async function pageRoutes(app: FastifyInstance): Promise<void> {
  app.get('/', async (request, reply) => {
    const me = request.session!;
    if (!me.isAdmin) return reply.redirect('/me/', 302);
    const system = await app.core.getSystemInfo();
    const sessions = app.sessions.list().map((session) => getSessionRowData(session));
    return reply.view('dashboard/index.njk', {
      me, csrfToken: getCsrfToken(request, reply), page: 'dashboard', topics: 'sessions', system, sessions,
      mode: app.core.isRealMachine ? 'this machine' : `sandbox ${app.core.root}`,
    });
  });

  app.get('/me/', async (request, reply) => {
    const me = request.session!;
    const account = await app.core.auth.getAccount(me.login);
    if (!account) throw new CoreError('not-found', `Account "${me.login}" no longer exists`, { field: 'login' });
    return reply.view('my-account/index.njk', { me, csrfToken: getCsrfToken(request, reply), page: 'me', account });
  });
}
