import { describeGroupRemoval, describeRoleChange } from '../../../core/audit/audit-details.ts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CoreError } from '../../../core/errors.ts';
import {
  groupChangesSchema,
  groupListSchema,
  groupNameSchema,
  groupRoleSchema,
  groupSchema,
  newGroupSchema,
  type Group,
  type GroupChanges,
  type GroupRole,
  type GroupView,
  type NewGroupBody,
} from '../../../core/accounts/group-schema.ts';
import { getActor, type Actor } from '../../../core/accounts/account-permissions.ts';
import { checkGroupChange, type Requester } from '../../../core/accounts/membership-rules.ts';
import { runAudited } from '../../accounts/audited.ts';
import { errorSchema } from './error-schemas.ts';
import { getGroupDetails } from '../../../core/accounts/group-details.ts';
import { quoted, say } from '../../../core/messages.ts';

// Every shape here is the core's (group-schema.ts): bodies, parameters and responses.
const nameParams = { type: 'object', required: ['name'], properties: { name: groupNameSchema } } as const;
const errors = { 400: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema };
const noBody = { type: 'object', additionalProperties: false, properties: {} } as const;
// A share's repair as it stands: entries seen and corrected so far.
const repairSchema = {
  type: 'object',
  required: ['name', 'scanned', 'fixed'],
  properties: { name: groupNameSchema, scanned: { type: 'integer' }, fixed: { type: 'integer' } },
} as const;

// The groups API (`/api/v1/groups…`), for admins: list, details, create, rename and
// describe (with the version the change was based on), roles of accounts, delete. Every
// change is audited; protected groups and others' primary groups are refused by the core.
export default async function groupsApiRoutes(app: FastifyInstance): Promise<void> {
  const { accounts, audit, shares } = app.core;
  const adminGroups = app.config.auth.adminGroups;
  const admin = { admin: true };

  const getDetails = (group: GroupView): Promise<Group> => getGroupDetails(accounts, group);
  const getExisting = (groupName: string): GroupView => {
    const group = accounts.getGroup(groupName);
    if (!group)
      throw new CoreError('not-found', say('groups.notFound', { name: quoted(groupName) }), { field: 'name' });
    return group;
  };
  const getActorOf = (request: FastifyRequest): Actor =>
    getActor((login) => accounts.getAccount(login), request.session!.login);
  const getRequester = (request: FastifyRequest): Requester => ({ login: request.session!.login, adminGroups });

  app.get(
    '/api/v1/groups',
    {
      config: admin,
      schema: { tags: ['groups'], summary: 'List groups with their roles', response: { 200: groupListSchema } },
    },
    async () => ({ groups: await Promise.all(accounts.listGroups().map(getDetails)) }),
  );

  app.get<{ Params: { name: string } }>(
    '/api/v1/groups/:name',
    {
      config: admin,
      schema: {
        tags: ['groups'],
        summary: 'One group',
        params: nameParams,
        response: { 200: groupSchema, ...errors },
      },
    },
    async (request) => getDetails(getExisting(request.params.name)),
  );

  app.post<{ Body: NewGroupBody }>(
    '/api/v1/groups',
    {
      config: admin,
      schema: {
        tags: ['groups'],
        summary: 'Create a group (a standard one gets responsibles, guests and a shared directory)',
        response: { 201: groupSchema, ...errors },
        body: newGroupSchema,
      },
    },
    async (request, reply) => {
      const group = await runAudited(audit, request, 'group-create', request.body.name, () =>
        accounts.createGroup(request.body, getRequester(request)),
      );
      reply.code(201);
      return getDetails(group);
    },
  );

  app.patch<{ Params: { name: string }; Body: GroupChanges }>(
    '/api/v1/groups/:name',
    {
      config: admin,
      schema: {
        tags: ['groups'],
        summary: 'Describe, rename or make permissive a group, from the version it was based on',
        params: nameParams,
        response: { 200: groupSchema, ...errors },
        body: groupChangesSchema,
      },
    },
    async (request) => {
      const { name: groupName } = request.params;
      const { version, description, newName, permissive } = request.body;
      return runAudited(
        audit,
        request,
        'group-modify',
        groupName,
        async () => {
          // Every check (what the group is, the caller's rights, the version) is the core's, inside
          // its transaction, before its first write: the CLI and the page ask the same rules.
          const update = { version, description, newName, permissive };
          return getDetails(await accounts.updateGroup(groupName, update, getRequester(request)));
        },
        Object.keys(request.body)
          .filter((key) => key !== 'version')
          .join(' '),
      );
    },
  );

  app.put<{ Params: { name: string; login: string }; Body: { role: GroupRole } }>(
    '/api/v1/groups/:name/roles/:login',
    {
      config: admin,
      schema: {
        tags: ['groups'],
        summary:
          'Make an account guest, member or responsible of a standard group, or none (member or none for other groups)',
        response: { 200: groupSchema, ...errors },
        params: {
          type: 'object',
          required: ['name', 'login'],
          properties: { name: groupNameSchema, login: groupNameSchema },
        },
        body: {
          type: 'object',
          required: ['role'],
          additionalProperties: false,
          properties: { role: groupRoleSchema },
        },
      },
    },
    async (request) => {
      const { name: groupName, login } = request.params;
      return runAudited(
        audit,
        request,
        'group-role',
        `${groupName}/${login}`,
        async () => {
          if (!accounts.getAccount(login)) {
            throw new CoreError('not-found', say('accounts.notFound', { login: quoted(login) }), { field: 'login' });
          }
          const { role } = request.body;
          // The rules (the account's, the group's) are applied by the core inside the transaction.
          const by = getRequester(request);
          // A group without Licorn roles has members only: "member" adds, "none" removes.
          const hasRoles = (await getDetails(getExisting(groupName))).responsibles !== null;
          if (hasRoles) await accounts.setRole(groupName, login, role, by);
          else if (role === 'member') await accounts.addMember(groupName, login, by);
          else if (role === 'none') await accounts.removeMember(groupName, login, by);
          else
            throw new CoreError('invalid-argument', say('web.groups.noRoles', { name: quoted(groupName) }), {
              field: 'role',
            });
          return getDetails(getExisting(groupName));
        },
        describeRoleChange(groupName, request.body.role, [login]),
      );
    },
  );

  app.post<{ Params: { name: string } }>(
    '/api/v1/groups/:name/share/repair',
    {
      config: admin,
      schema: {
        tags: ['groups'],
        summary:
          "Set every file and directory of a standard group's share to its rule again, in the background " +
          '(progress: push topic group-share/<name>); 202 when started',
        params: nameParams,
        body: noBody,
        response: { 202: repairSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { name: groupName } = request.params;
      const repair = await runAudited(audit, request, 'group-share-repair', groupName, async () => {
        checkGroupChange(getActorOf(request), getExisting(groupName), adminGroups);
        await shares.repairShare(groupName);
        return shares.getRepair(groupName) ?? { name: groupName, scanned: 0, fixed: 0 };
      });
      reply.code(202);
      return { name: groupName, scanned: repair.scanned, fixed: repair.fixed };
    },
  );

  app.delete<{ Params: { name: string } }>(
    '/api/v1/groups/:name/share/repair',
    {
      config: admin,
      schema: {
        tags: ['groups'],
        summary: "Cancel the repair of a standard group's share (it stays watched); 404 when none runs",
        params: nameParams,
        response: { 200: repairSchema, ...errors },
      },
    },
    async (request) => {
      const { name: groupName } = request.params;
      return runAudited(audit, request, 'group-share-cancel', groupName, async () => {
        checkGroupChange(getActorOf(request), getExisting(groupName), adminGroups);
        const repair = shares.getRepair(groupName);
        await shares.cancelRepair(groupName);
        return { name: groupName, scanned: repair?.scanned ?? 0, fixed: repair?.fixed ?? 0 };
      });
    },
  );

  app.delete<{ Params: { name: string } }>(
    '/api/v1/groups/:name',
    {
      config: admin,
      schema: {
        tags: ['groups'],
        summary: 'Delete a group; its shared directory is archived',
        params: nameParams,
        response: errors,
      },
    },
    async (request) =>
      runAudited(
        audit,
        request,
        'group-delete',
        request.params.name,
        // The core refuses the groups the interface never deletes (group-protection.ts), then
        // what the caller's rights forbid, inside the transaction; the CLI and the page ask
        // the same rule.
        () => accounts.deleteGroup(request.params.name, { by: getRequester(request) }),
        (result) => describeGroupRemoval(result.archive),
      ),
  );
}
