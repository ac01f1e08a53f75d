import { describeBulk, describeImport, describeRoleChange } from '../../../core/audit/audit-details.ts';
import { maxSuggestionText, maxSuggestions } from '../../../core/accounts/account-suggestions.ts';
import type { FastifyInstance } from 'fastify';
import { CoreError } from '../../../core/errors.ts';
import type { FieldProblem } from '../../../core/accounts/account-import.ts';
import { sayProblems } from '../../plugins/errors.ts';
import type { ProgressListener } from '../../../core/accounts/accounts-service.ts';
import { checkAccountAction, type AccountAction } from '../../../core/accounts/account-permissions.ts';
import { runAudited } from '../../accounts/audited.ts';
import { bulkBody, importBody, type BulkBody, type ImportBody } from './account-schemas.ts';
import { getAccountRequests } from './account-requests.ts';
import { conflictSchema, errorSchema } from './error-schemas.ts';
import { quoted, say } from '../../../core/messages.ts';

const errors = { 400: errorSchema, 403: errorSchema, 404: errorSchema, 409: conflictSchema };
// A CSV of 10,000 accounts is about 1 MB; the app's default body limit is for forms.
const importBodyLimit = 16 * 1024 * 1024;

// The accounts API for many accounts at once, for admins: one action on a list of accounts, the
// "who?" suggestions, the CSV export and import. Checked, applied through the core, audited.
export default async function accountsBulkApiRoutes(app: FastifyInstance): Promise<void> {
  const { accounts, audit } = app.core;
  const { adminGroups, getActorOf, getRequester, recordProcessesEnded, getExisting } = getAccountRequests(app);
  const admin = { admin: true };

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

  app.post<{ Body: ImportBody }>(
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
