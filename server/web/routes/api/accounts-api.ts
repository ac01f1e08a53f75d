import { describeAccountChange, describeAccountCreation } from '../../../core/audit/audit-details.ts';
import type { FastifyInstance } from 'fastify';
import type { AccountView } from '../../../core/accounts/account-view.ts';
import { CoreError } from '../../../core/errors.ts';
import { sayProblems } from '../../plugins/errors.ts';
import { checkAccountAction } from '../../../core/accounts/account-permissions.ts';
import { runAudited } from '../../accounts/audited.ts';
import {
  accountChangesBody,
  accountSchema,
  deleteQuery,
  loginParams,
  newAccountBody,
  type AccountChangesBody,
  type DeleteQuery,
  type LoginParams,
  type NewAccountBody,
} from './account-schemas.ts';
import { getAccountRequests } from './account-requests.ts';
import { conflictSchema, errorSchema } from './error-schemas.ts';
import { quoted, say } from '../../../core/messages.ts';
import { answerMessage } from '../../i18n/answer-message.ts';
import { createDeletionPlanSchema } from '../../../core/accounts/deletion-plan-schema.ts';
import { answeredMessageSchema } from '../../../core/message-schema.ts';

const errors = { 400: errorSchema, 403: errorSchema, 404: errorSchema, 409: conflictSchema };
// A deletion plan as the API answers it: the core's, its messages said in the request's language.
const deletionPlanAnswer = createDeletionPlanSchema(answeredMessageSchema);

// The accounts API (`/api/v1/accounts…`), one account at a time, for admins (and an account's own
// description for its owner): the browser's pages and the CLI use it. Every change is checked
// against Licorn's rules, applied through the core, audited. Many at once: accounts-bulk-api.ts.
export default async function accountsApiRoutes(app: FastifyInstance): Promise<void> {
  const { accounts, audit } = app.core;
  const { adminGroups, getActorOf, getRequester, recordProcessesEnded, getExisting } = getAccountRequests(app);
  const admin = { admin: true };

  const serializedLists = new WeakMap<readonly AccountView[], { all?: string; standard?: string }>();
  app.get<{ Querystring: { system?: boolean } }>(
    '/api/v1/accounts',
    {
      config: admin,
      schema: {
        tags: ['accounts'],
        summary: 'List accounts',
        querystring: { type: 'object', properties: { system: { type: 'boolean', default: true } } },
      },
    },
    async (request, reply) => {
      const list = accounts.listAccounts();
      const key = request.query.system === false ? 'standard' : 'all';
      // The same list (the core keeps it until the files change) gets the same JSON: 2.4 MB for
      // 10,000 accounts took 10–30 ms to serialize at every `licorn get users`.
      let bodies = serializedLists.get(list);
      if (!bodies) serializedLists.set(list, (bodies = {}));
      bodies[key] ??= JSON.stringify({
        accounts: key === 'standard' ? list.filter((account) => !account.system) : list,
        counts: accounts.getCounts(),
      });
      return reply.type('application/json; charset=utf-8').send(bodies[key]);
    },
  );

  // Admins see any account; every other account its own (`licorn get user SELF`), and for
  // another login the same refusal whether it exists or not.
  app.get<{ Params: LoginParams }>(
    '/api/v1/accounts/:login',
    {
      schema: {
        tags: ['accounts'],
        summary: 'One account (your own unless you are an admin)',
        params: loginParams,
        response: { 200: accountSchema, ...errors },
      },
    },
    async (request) => {
      const me = request.session!;
      if (!me.isAdmin && request.params.login !== me.login)
        throw new CoreError(
          'permission-denied',
          say('web.accounts.ownOnly', { login: quoted(me.login), other: quoted(request.params.login) }),
          { field: 'login' },
        );
      return getExisting(request.params.login);
    },
  );

  app.post<{ Body: Partial<NewAccountBody> }>(
    '/api/v1/accounts/validate',
    {
      config: admin,
      schema: {
        tags: ['accounts'],
        summary: 'Check a would-be account field by field, writing nothing',
        body: { ...newAccountBody, required: [] },
      },
    },
    async (request) => {
      const input = request.body;
      const problems = await accounts.checkNewAccount({ ...input, login: input.login ?? '' }, getRequester(request));
      // A form checked before its login is typed: the missing login is not news.
      const shown = input.login === undefined ? problems.filter((problem) => problem.field !== 'login') : problems;
      return { problems: sayProblems(shown, request.locale) };
    },
  );

  app.post<{ Body: NewAccountBody }>(
    '/api/v1/accounts',
    {
      config: admin,
      schema: { tags: ['accounts'], summary: 'Create an account', body: newAccountBody, response: errors },
    },
    async (request, reply) => {
      const input = request.body;
      // The account and its roles in one transaction: a refused role leaves no account behind.
      const created = await runAudited(
        audit,
        request,
        'account-create',
        input.login,
        () => accounts.createAccount(input, getRequester(request)),
        describeAccountCreation(input),
      );
      reply.code(201);
      return { account: accounts.getAccount(created.account.login), generatedPassword: created.generatedPassword };
    },
  );

  app.patch<{ Params: LoginParams; Body: AccountChangesBody }>(
    '/api/v1/accounts/:login',
    {
      config: admin,
      schema: {
        tags: ['accounts'],
        summary: 'Change an account (any field, with the version it is based on)',
        params: loginParams,
        body: accountChangesBody,
        response: { 200: accountSchema, ...errors },
      },
    },
    async (request) => {
      const { login } = request.params;
      const { version, ...update } = request.body;
      const fields = Object.keys(request.body).filter((key) => key !== 'version');
      // Every change asked for in one transaction: all of them are made, or none. The version
      // and the rules are checked inside it, after the password's hash.
      return runAudited(
        audit,
        request,
        'account-modify',
        login,
        () => accounts.updateAccount(login, update, { by: getRequester(request), version }),
        describeAccountChange(fields, update.roles),
      );
    },
  );

  app.get<{ Params: LoginParams; Querystring: DeleteQuery }>(
    '/api/v1/accounts/:login/deletion-plan',
    {
      config: admin,
      schema: {
        tags: ['accounts'],
        summary: 'What deleting an account would do with its home, before anything is done',
        params: loginParams,
        querystring: deleteQuery,
        response: { 200: deletionPlanAnswer, ...errors },
      },
    },
    async (request) => {
      checkAccountAction(getActorOf(request), getExisting(request.params.login), 'delete', adminGroups);
      const plan = await accounts.getDeletionPlan(request.params.login, request.query.home, getRequester(request));
      return {
        ...plan,
        warningMessage: answerMessage(plan.warningMessage, request.locale),
        groupKeptMessage: answerMessage(plan.groupKeptMessage, request.locale),
      };
    },
  );

  app.delete<{ Params: LoginParams; Querystring: DeleteQuery }>(
    '/api/v1/accounts/:login',
    {
      config: admin,
      schema: {
        tags: ['accounts'],
        summary: 'Delete an account; its home is archived unless asked otherwise',
        params: loginParams,
        querystring: deleteQuery,
        response: errors,
      },
    },
    async (request) => {
      const { login } = request.params;
      const { home, endProcesses } = request.query;
      const onProcessesEnded = recordProcessesEnded(request);
      const deleted = await runAudited(
        audit,
        request,
        'account-delete',
        login,
        async () => {
          checkAccountAction(getActorOf(request), getExisting(login), 'delete', adminGroups);
          return accounts.deleteAccount(login, home, getRequester(request), { endProcesses, onProcessesEnded });
        },
        (result) =>
          [
            `home: ${home}`,
            result.home.warning,
            result.privateGroup && `private group ${result.privateGroup} deleted`,
            result.groupKept,
            result.endedCount > 0 && `${result.endedCount} processes ended first`,
          ]
            .filter(Boolean)
            .join('; '),
      );
      const { archive, privateGroup, groupKept, endedProcesses, endedCount } = deleted;
      const { locale } = request;
      const kept = { ...deleted.home, warningMessage: answerMessage(deleted.home.warningMessage, locale) };
      const groupKeptMessage = answerMessage(deleted.groupKeptMessage, locale);
      return { archive, home: kept, privateGroup, groupKept, groupKeptMessage, endedProcesses, endedCount };
    },
  );
}
