import {
  describeAccountChange,
  describeAccountCreation,
  describeBulk,
  describeImport,
  describeRoleChange,
} from '../../../core/audit/audit-details.ts';
import { maxSuggestionText, maxSuggestions } from '../../../core/accounts/account-suggestions.ts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CoreError } from '../../../core/errors.ts';
import type { FieldProblem } from '../../../core/accounts/account-import.ts';
import { sayProblems } from '../../plugins/errors.ts';
import type { AccountView } from '../../../core/accounts/account-view.ts';
import type { GroupRole } from '../../../core/accounts/licorn-roles.ts';
import type { CsvMapping } from '../../../core/accounts/account-csv.ts';
import type { HomeDisposal, ProgressListener } from '../../../core/accounts/accounts-service.ts';
import { describeProcesses, type ProcessInfo } from '../../../core/accounts/account-processes.ts';
import {
  checkAccountAction,
  getActor,
  type AccountAction,
  type Actor,
} from '../../../core/accounts/account-permissions.ts';
import type { Requester } from '../../../core/accounts/membership-rules.ts';
import { runAudited } from '../../accounts/audited.ts';
import {
  accountChangesBody,
  accountSchema,
  bulkBody,
  deleteQuery,
  conflictSchema,
  errorSchema,
  importBody,
  loginParams,
  newAccountBody,
} from './account-schemas.ts';
import { quoted, say } from '../../../core/messages.ts';
import { answerMessage } from '../../i18n/answer-message.ts';

type Role = Exclude<GroupRole, 'none'>;

interface NewAccountBody {
  login: string;
  fullName?: string;
  shell?: string;
  home?: string;
  uid?: number;
  primaryGroup?: string;
  groups?: string[];
  roles?: Record<string, GroupRole>;
  system?: boolean;
  password?: string | null;
  createHome?: boolean;
}

interface AccountChangesBody {
  version: string;
  fullName?: string;
  shell?: string;
  home?: string;
  uid?: number;
  primaryGroup?: string;
  groups?: string[];
  roles?: Record<string, GroupRole>;
  locked?: boolean;
  expiry?: number | null;
  password?: string;
  forcePasswordChange?: true;
  newLogin?: string;
  moveHome?: boolean;
  renameGroup?: boolean;
}

interface BulkBody {
  action: 'lock' | 'unlock' | 'delete' | 'add-to-group';
  logins: string[];
  group?: string;
  role?: Role;
  home?: 'archive' | 'remove' | 'keep';
  endProcesses?: boolean;
}

const errors = { 400: errorSchema, 403: errorSchema, 404: errorSchema, 409: conflictSchema };
// A CSV of 10,000 accounts is about 1 MB; the app's default body limit is for forms.
const importBodyLimit = 16 * 1024 * 1024;

// The accounts API (`/api/v1/accounts…`), for admins: the browser's pages and the CLI use it.
// Every change is checked against Licorn's rules, applied through the core, audited.
export default async function accountsApiRoutes(app: FastifyInstance): Promise<void> {
  const { accounts, audit } = app.core;
  const adminGroups = app.config.auth.adminGroups;
  const admin = { admin: true };

  const getActorOf = (request: FastifyRequest): Actor =>
    getActor((login) => accounts.getAccount(login), request.session!.login);
  // Who asks: the core applies Licorn's rules inside the transaction, on the files as they are then.
  const getRequester = (request: FastifyRequest): Requester => ({ login: request.session!.login, adminGroups });
  // Ending processes is recorded as it happens, per account: the deletion after it may still fail.
  const recordProcessesEnded = (request: FastifyRequest) => (login: string, ended: ProcessInfo[]) =>
    audit.record({
      login: request.session?.login ?? '-',
      address: request.ip,
      action: 'account-processes-end',
      target: login,
      outcome: 'done',
      detail: `${ended.length} processes ended (SIGTERM, then SIGKILL): ${describeProcesses(ended)}`.slice(0, 300),
    });
  const getExisting = (login: string): AccountView => {
    const account = accounts.getAccount(login);
    if (!account)
      throw new CoreError('not-found', say('accounts.notFound', { login: quoted(login) }), { field: 'login' });
    return account;
  };

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
  app.get<{ Params: { login: string } }>(
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

  app.patch<{ Params: { login: string }; Body: AccountChangesBody }>(
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

  app.get<{ Params: { login: string }; Querystring: { home: HomeDisposal } }>(
    '/api/v1/accounts/:login/deletion-plan',
    {
      config: admin,
      schema: {
        tags: ['accounts'],
        summary: 'What deleting an account would do with its home, before anything is done',
        params: loginParams,
        querystring: deleteQuery,
        response: errors,
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

  app.delete<{ Params: { login: string }; Querystring: { home: HomeDisposal; endProcesses: boolean } }>(
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

  app.post<{ Body: BulkBody }>(
    '/api/v1/accounts/bulk',
    {
      config: admin,
      schema: {
        tags: ['accounts'],
        summary: 'Lock, unlock, delete or add to a group many accounts at once',
        body: bulkBody,
        response: errors,
      },
    },
    async (request) => {
      const { action, logins, group, role = 'member', home = 'archive', endProcesses = false } = request.body;
      if (endProcesses && action !== 'delete') {
        const message = say('web.accounts.endProcesses', { action: quoted(action) });
        throw new CoreError('invalid-argument', message, { field: 'endProcesses' });
      }
      const target = logins.length === 1 ? logins[0]! : `${logins.length} accounts`;
      return runAudited(
        audit,
        request,
        `accounts-${action}`,
        target,
        async () => {
          const actor = getActorOf(request);
          const rule: AccountAction = action === 'add-to-group' ? 'change-groups' : action;
          logins.forEach((login) => checkAccountAction(actor, getExisting(login), rule, adminGroups));
          if (action === 'delete') {
            const options = { endProcesses, onProcessesEnded: recordProcessesEnded(request) };
            return { deleted: await accounts.deleteAccounts(logins, home, getRequester(request), options) };
          }
          if (action === 'add-to-group') {
            if (!group) throw new CoreError('invalid-argument', say('web.accounts.needGroup'), { field: 'group' });
            await accounts.setRoles(group, logins, role, getRequester(request));
            return { changed: logins };
          }
          const rows = logins.map((login) => ({ login, locked: action === 'lock' }));
          await accounts.modifyAccounts(rows, getRequester(request));
          return { changed: logins };
        },
        action === 'add-to-group' && group
          ? describeRoleChange(group, role, logins)
          : logins.length > 1
            ? describeBulk(logins)
            : undefined,
      );
    },
  );

  // What a "who?" field suggests as it is typed (a group's "add someone"): standard accounts
  // by login and full name, accents ignored, a few at a time. (Under /-/: no login begins
  // with "-", so no account is shadowed.)
  app.get<{ Querystring: { q: string; limit: number } }>(
    '/api/v1/accounts/-/suggestions',
    {
      config: admin,
      schema: {
        tags: ['accounts'],
        summary: 'Accounts whose login or full name match what is typed, best first',
        querystring: {
          type: 'object',
          required: ['q'],
          additionalProperties: false,
          properties: {
            q: { type: 'string', maxLength: maxSuggestionText },
            limit: { type: 'integer', minimum: 1, maximum: maxSuggestions, default: 8 },
          },
        },
      },
    },
    async (request) => ({ suggestions: accounts.suggestAccounts(request.query.q, request.query.limit) }),
  );

  app.get(
    '/api/v1/accounts/export',
    {
      config: admin,
      schema: { tags: ['accounts'], summary: 'Every account as CSV' },
    },
    async (request, reply) => {
      await audit.record({
        login: request.session!.login,
        address: request.ip,
        action: 'accounts-export',
        target: 'all accounts',
        outcome: 'done',
      });
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="accounts.csv"')
        .send(accounts.exportCsv());
    },
  );

  app.post<{
    Body: {
      csv: string;
      mapping?: CsvMapping;
      dryRun?: boolean;
      skipInvalid?: boolean;
      createHomes?: boolean;
      progress?: string;
    };
  }>(
    '/api/v1/accounts/import',
    {
      config: admin,
      bodyLimit: importBodyLimit,
      schema: {
        tags: ['accounts'],
        summary: 'Import accounts from CSV, or dry-run it; progress goes to the push topic import/<progress>',
        body: importBody,
        response: errors,
      },
    },
    async (request) => {
      const { csv, progress, ...options } = request.body;
      const onProgress: ProgressListener | undefined = progress
        ? (state) =>
            app.hub.publish(`import/${progress}`, [{ action: 'sample', target: 'import-progress', data: state }])
        : undefined;
      const by = getRequester(request);
      const inWords = <R extends { problems: FieldProblem[] }>(report: R) => ({
        ...report,
        problems: sayProblems(report.problems, request.locale),
      });
      if (options.dryRun) return inWords(await accounts.importCsv(csv, { ...options, onProgress, by }));
      const report = await runAudited(
        audit,
        request,
        'accounts-import',
        'CSV',
        () => accounts.importCsv(csv, { ...options, onProgress, by }),
        describeImport,
      );
      return inWords(report);
    },
  );
}
