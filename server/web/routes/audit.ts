import type { FastifyInstance } from 'fastify';
import { getCsrfToken } from '../plugins/csrf.ts';
import type { AuditQuery } from '../../core/audit/audit-query.ts';

// How many entries a page of the Audit page shows (the file keeps them all: older pages follow).
export const auditPageSize = 200;

// The Audit page's query string: filters (actor, action, target, from, to) and the cursor of
// an older page (`before`, a byte offset of the file, from the page's own "Older" link).
interface AuditQueryString {
  actor?: string;
  action?: string;
  target?: string;
  from?: string;
  to?: string;
  before?: string;
}

const text = { type: 'string', maxLength: 64 } as const;
const queryString = {
  type: 'object',
  properties: {
    actor: text,
    action: text,
    target: text,
    from: text,
    to: text,
    before: { type: 'string', maxLength: 20 },
  },
} as const;

const isDay = (value: string) => /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value));

// The Audit page, for admins: the entries of the audit log, newest first, filtered by actor,
// action, target and dates, a page at a time back to the first; the first page of the
// unfiltered log also follows new entries live through the `audit` topic.
export default async function auditRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: AuditQueryString }>(
    '/audit/',
    { config: { admin: true }, schema: { querystring: queryString } },
    async (request, reply) => {
      const asked = request.query;
      // Said by the page in its language (pages.json audit.badDate.<field>).
      const problems: { field: 'from' | 'to'; value: string }[] = [];
      const day = (field: 'from' | 'to') => {
        const value = asked[field]?.trim() ?? '';
        if (value === '' || isDay(value)) return value || undefined;
        problems.push({ field, value });
        return undefined;
      };
      const before = /^\d{1,15}$/.test(asked.before ?? '') ? Number(asked.before) : undefined;
      const query: AuditQuery = {
        actor: asked.actor?.trim() || undefined,
        action: asked.action?.trim() || undefined,
        target: asked.target?.trim() || undefined,
        from: day('from'),
        to: day('to'),
        before,
        limit: auditPageSize,
      };
      const filtered = !!(query.actor || query.action || query.target || query.from || query.to);
      const result = await app.core.audit.query(query);
      const link = (changes: Record<string, string | undefined>) => {
        const params = new URLSearchParams();
        for (const [key, value] of Object.entries({ ...asked, before: undefined, ...changes }))
          if (value) params.set(key, value);
        const search = params.toString();
        return search ? `/audit/?${search}` : '/audit/';
      };
      return reply.view('audit/index.njk', {
        me: request.session,
        csrfToken: getCsrfToken(request, reply),
        page: 'audit',
        // Only the newest page of the whole log takes new entries live.
        topics: filtered || before !== undefined ? '' : 'audit',
        entries: result.entries,
        file: app.core.audit.file,
        filter: { ...asked },
        filtered,
        problems,
        olderUrl: result.next === null ? null : link({ before: String(result.next) }),
        newestUrl: before === undefined ? null : link({}),
        searchedTo: result.searchedTo,
        clearUrl: filtered ? '/audit/' : null,
      });
    },
  );
}
