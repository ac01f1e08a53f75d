import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { listAccountTokens, revokeAccountToken } from '../auth/account-tokens.ts';
import { CoreError } from '../../core/errors.ts';
import { csvColumns } from '../../core/accounts/account-csv.ts';
import { getFieldLabels } from '../../core/field-labels.ts';
import { getCsrfToken } from '../plugins/csrf.ts';
import { getAccountActions, getActor } from '../../core/accounts/account-permissions.ts';
import { getGroupCatalogue, type GroupCatalogue } from '../../core/accounts/group-catalogue.ts';
import type { Locale } from '../../../common/i18n/locales.ts';
import {
  formatAccountQuery,
  getRowsData,
  parseAccountQuery,
  type AccountQueryString,
} from '../accounts/account-page-data.ts';
import type { AccountQuery } from '../accounts/account-list.ts';
import { quoted, renderMessages, say } from '../../core/messages.ts';
import { getShadowDay } from '../../core/auth/get-login-refusal.ts';
import { RecentAnswers } from '../accounts/recent-answers.ts';

const queryString = {
  type: 'object',
  properties: {
    q: { type: 'string', maxLength: 200 },
    system: { type: 'string', maxLength: 16 },
    sort: { type: 'string', maxLength: 32 },
    order: { type: 'string', maxLength: 16 },
    page: { type: 'string', maxLength: 16 },
  },
} as const;

// The accounts page, for admins: a first page of rows rendered here (it works without
// script), then filtering, sorting and paging through /accounts/-/rows, and live rows through
// the `accounts` topic. Changes go through the JSON API.
export default async function accountsRoutes(app: FastifyInstance): Promise<void> {
  const admin = { admin: true };

  // The create dialog and the bulk bar's groups depend on the groups and shells only: built
  // once per change of them (they cost a third of the page at 10,000 accounts).
  // One per language: the dialog's words are the page's.
  const cache = new Map<Locale, { key: string; catalogue: GroupCatalogue; createDialog: string }>();
  const getGroupParts = async (locale: Locale) => {
    const shells = app.core.accounts.getShells();
    const key = `${app.core.accounts.revision} ${shells.join(' ')}`;
    const cached = cache.get(locale);
    if (cached?.key === key) return cached;
    const groups = app.core.accounts.listGroups();
    const catalogue = getGroupCatalogue(groups, app.config.auth.adminGroups);
    const createDialog = await app.view('accounts/_create-dialog.njk', {
      catalogue,
      shells,
      defaultShell: '/bin/bash',
      primaryGroups: groups.map((group) => group.name).sort(),
      locale,
    });
    const parts = { key, catalogue, createDialog };
    cache.set(locale, parts);
    return parts;
  };

  app.get<{ Querystring: AccountQueryString }>(
    '/accounts/',
    { config: admin, schema: { querystring: queryString } },
    async (request, reply) => {
      const query = parseAccountQuery(request.query);
      const list = app.accountList.query(query);
      const { catalogue, createDialog } = await getGroupParts(request.locale);
      // The rows and pager as the rows route renders them (kept for the same query).
      const { rowBytes, pager } = await getRows(request.locale, query);
      const html = await reply.viewAsync('accounts/index.njk', {
        me: request.session,
        csrfToken: getCsrfToken(request, reply),
        page: 'accounts',
        topics: 'accounts',
        counts: app.core.accounts.getCounts(),
        ...getRowsData(list, query),
        catalogue,
        createDialog,
        sortUrl: (key: string) =>
          formatAccountQuery(query, {
            sort: key as never,
            descending: query.sort === key && !query.descending,
            page: 1,
          }),
        rowsHtml: rowsMark,
        pagerHtml: pager,
      });
      // The kept rows' bytes between the rest's: the page's text is never one string of 100
      // rows (100–200 KB, made in the large-object space and kept there, or flattened for
      // its length: 26 MiB of old-generation garbage over the pages bench at 100,000 accounts).
      const at = html.indexOf(rowsMark);
      const head = Buffer.from(html.slice(0, at));
      return reply.send(Buffer.concat([head, rowBytes, Buffer.from(html.slice(at + rowsMark.length))]));
    },
  );

  // The rows of one page of a query and its pager as HTML fragments, and the rows route's
  // answer (JSON) as bytes: the page swaps them in as the admin types, sorts or pages. The
  // latest are kept for the list's generation and the day (a row says whether its account
  // has expired); an answer kept is sent again as it is, not serialized again.
  const recentRows = new RecentAnswers<{ rowBytes: Buffer; pager: string; body: Buffer }>(16);
  // Where the page's template puts the rows: made at start, so that no text a page shows (a
  // group's description, a full name) can hold it and move the rows.
  const rowsMark = `\u0000rows-${randomUUID()}\u0000`;
  const getRows = (locale: Locale, query: AccountQuery) => {
    const scope = `${app.accountList.generation} ${getShadowDay()}`;
    return recentRows.get(scope, `${locale} ${formatAccountQuery(query)}`, async () => {
      const list = app.accountList.query(query);
      // (app.view has no reply: the request's language goes in the data.)
      const data = { ...getRowsData(list, query), locale };
      const [rows, pager] = await Promise.all([
        app.view('accounts/_rows.njk', data),
        app.view('accounts/_pager.njk', data),
      ]);
      const answer = {
        rows,
        pager,
        matched: list.matched,
        page: list.page,
        generation: list.generation,
        url: formatAccountQuery(query, { page: list.page }),
      };
      return { rowBytes: Buffer.from(rows), pager, body: Buffer.from(JSON.stringify(answer)) };
    });
  };
  app.get<{ Querystring: AccountQueryString }>(
    '/accounts/-/rows',
    { config: admin, schema: { querystring: queryString } },
    async (request, reply) => {
      const { body } = await getRows(request.locale, parseAccountQuery(request.query));
      return reply.type('application/json; charset=utf-8').send(body);
    },
  );

  // The CSV import page: the file is read in the browser, mapped, dry-run and imported
  // through the API, with progress pushed on import/<id>. (Under /accounts/-/: a login
  // never starts with "-", so no account's page is shadowed.)
  app.get('/accounts/-/import', { config: admin }, async (request, reply) =>
    reply.view('accounts/import.njk', {
      me: request.session,
      csrfToken: getCsrfToken(request, reply),
      page: 'accounts-import',
      topics: 'accounts-summary',
      columns: csvColumns,
      // The CSV picker's labels in the reader's language ("Nom complet" for fullName).
      columnLabels: getFieldLabels('account', csvColumns, request.locale),
      columnList: Object.values(getFieldLabels('account', csvColumns, request.locale)).join(', '),
      counts: app.core.accounts.getCounts(),
    }),
  );

  // One account's details and edits. Its page follows `account/<login>`.
  app.get<{ Params: { login: string }; Querystring: { revoked?: string } }>(
    '/accounts/:login',
    {
      config: admin,
      schema: {
        params: { type: 'object', required: ['login'], properties: { login: { type: 'string', maxLength: 64 } } },
        querystring: { type: 'object', properties: { revoked: { type: 'string', maxLength: 16 } } },
      },
    },
    async (request, reply) => {
      const account = app.core.accounts.getAccount(request.params.login);
      if (!account)
        throw new CoreError('not-found', say('accounts.notFound', { login: quoted(request.params.login) }), {
          field: 'login',
        });
      const groups = app.core.accounts.listGroups();
      const catalogue = getGroupCatalogue(groups, app.config.auth.adminGroups);
      const roles = Object.fromEntries(
        catalogue.standard.map((group) => [group, app.core.accounts.getRole(group, account.login)]),
      );
      // The page offers only what the server would do: each action with its refusal (or null),
      // and what deleting would really do with the home, said before the admin confirms.
      const actor = getActor((login) => app.core.accounts.getAccount(login), request.session!.login);
      const actions = renderMessages(getAccountActions(actor, account, app.config.auth.adminGroups), request.locale);
      // Both plans from one reading of /proc; the private group's fate for this requester.
      const by = { login: request.session!.login, adminGroups: app.config.auth.adminGroups };
      const both =
        actions.delete === null
          ? await app.core.accounts.getDeletionPlans(account.login, ['archive', 'remove'], by)
          : null;
      const plans = both && { archive: both[0]!, remove: both[1]! };
      return reply.view('accounts/details.njk', {
        me: request.session,
        csrfToken: getCsrfToken(request, reply),
        page: 'account',
        topics: `account/${account.login}`,
        account,
        accountJson: JSON.stringify(account),
        catalogue,
        roles,
        actions,
        plans,
        primaryGroups: groups.map((group) => group.name).sort(),
        shells: app.core.accounts.getShells(),
        tokens: listAccountTokens(app, account.login),
        revoked: request.query.revoked === 'token',
      });
    },
  );

  // An admin revokes one of the account's API tokens from its page (audited).
  app.post<{ Params: { login: string; id: string } }>(
    '/accounts/:login/tokens/:id/revoke',
    {
      config: admin,
      schema: {
        params: {
          type: 'object',
          required: ['login', 'id'],
          properties: { login: { type: 'string', maxLength: 64 }, id: { type: 'string', maxLength: 100 } },
        },
      },
    },
    async (request, reply) => {
      const { login, id } = request.params;
      await revokeAccountToken(app, request, login, id);
      return reply.redirect(`/accounts/${encodeURIComponent(login)}?revoked=token`, 303);
    },
  );
}
