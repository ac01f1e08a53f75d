import type { FastifyInstance } from 'fastify';
import { CoreError } from '../../core/errors.ts';
import { getCsrfToken } from '../plugins/csrf.ts';
import {
  describeGroupDeletion,
  getGroupDetails,
  getGroupPeople,
  isHelperGroup,
} from '../../core/accounts/group-details.ts';
import { getGroupRefusals } from '../../core/accounts/group-protection.ts';
import { quoted, renderMessage, renderMessages, say } from '../../core/messages.ts';

// The groups pages, for admins: the list (helper groups shown with their standard group,
// system groups on request) and one group's page. Changes go through the JSON API; the
// pages follow `groups` and `group/<name>`.
export default async function groupsRoutes(app: FastifyInstance): Promise<void> {
  const admin = { admin: true };
  const { accounts } = app.core;

  app.get<{ Querystring: { system?: string } }>(
    '/groups/',
    {
      config: admin,
      schema: { querystring: { type: 'object', properties: { system: { type: 'string', maxLength: 16 } } } },
    },
    async (request, reply) => {
      const withSystem = request.query.system === '1';
      const groups = await Promise.all(
        accounts
          .listGroups()
          .filter((group) => !isHelperGroup(accounts, group.name) && (withSystem || !group.system))
          .sort((a, b) => a.name.localeCompare(b.name))
          .map((group) => getGroupDetails(accounts, group)),
      );
      return reply.view('groups/index.njk', {
        me: request.session,
        csrfToken: getCsrfToken(request, reply),
        page: 'groups',
        topics: 'groups',
        groups,
        withSystem,
        counts: accounts.getCounts(),
      });
    },
  );

  app.get<{ Params: { name: string } }>(
    '/groups/:name',
    {
      config: admin,
      schema: {
        params: { type: 'object', required: ['name'], properties: { name: { type: 'string', maxLength: 64 } } },
      },
    },
    async (request, reply) => {
      const view = accounts.getGroup(request.params.name);
      if (!view)
        throw new CoreError('not-found', say('groups.notFound', { name: quoted(request.params.name) }), {
          field: 'name',
        });
      const group = await getGroupDetails(accounts, view);
      return reply.view('groups/details.njk', {
        me: request.session,
        csrfToken: getCsrfToken(request, reply),
        page: 'group',
        // A standard group's page also follows its share's repair.
        topics: group.responsibles === null ? `group/${group.name}` : `group/${group.name} group-share/${group.name}`,
        group,
        groupJson: JSON.stringify(group),
        people: getGroupPeople(group),
        deletion: renderMessage(describeGroupDeletion(group), request.locale),
        // What the server would refuse, disabled on the page with the reason.
        refusals: renderMessages(getGroupRefusals(group, app.config.auth.adminGroups), request.locale),
      });
    },
  );
}
