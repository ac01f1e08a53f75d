import type { FastifyInstance } from 'fastify';
import { CoreError } from '../../core/errors.ts';
import { facilities } from '../../core/events/event-bus.ts';
import { facilityAliases, maxFilterLength, parseEventFilter } from '../../core/events/event-filter.ts';
import { getEventRow } from '../events/event-rows.ts';
import { getCsrfToken } from '../plugins/csrf.ts';
import { eventsSnapshotSize, getEventsTopicName } from '../push/topics/events-topic.ts';

const filterQuery = { type: 'string', maxLength: maxFilterLength } as const;

// The Events page, for admins: the core's events live (the `events/<facilities>` topic),
// through a filter in Licorn's syntax typed in a field and kept in the address (`?filter=`),
// with pause and "load earlier" from the journal (`/events/earlier`, rows rendered by the
// same partial). A bad filter is shown beside the field (400), with no rows.
export default async function eventsRoutes(app: FastifyInstance): Promise<void> {
  const { journal } = app.core;
  const facilityNames = [...facilities, ...Object.keys(facilityAliases)].join(', ');

  app.get<{ Querystring: { filter?: string } }>(
    '/events/',
    {
      config: { admin: true },
      schema: { querystring: { type: 'object', additionalProperties: false, properties: { filter: filterQuery } } },
    },
    async (request, reply) => {
      const text = request.query.filter ?? '';
      const view = { me: request.session, csrfToken: getCsrfToken(request, reply), page: 'events', facilityNames };
      let filter;
      try {
        filter = parseEventFilter(text);
      } catch (error) {
        if (!(error instanceof CoreError)) throw error;
        reply.code(400);
        return reply.view('events/index.njk', {
          ...view,
          filter: text,
          error: error.getMessage(request.locale),
          events: [],
        });
      }
      const { events, earlier } = journal.list(filter, { limit: eventsSnapshotSize });
      return reply.view('events/index.njk', {
        ...view,
        topics: getEventsTopicName(filter),
        filter: filter.expression,
        events: events.map(getEventRow),
        earlier,
      });
    },
  );

  app.get<{ Querystring: { filter?: string; before: number } }>(
    '/events/earlier',
    {
      config: { admin: true },
      schema: {
        querystring: {
          type: 'object',
          required: ['before'],
          additionalProperties: false,
          properties: { filter: filterQuery, before: { type: 'integer', minimum: 1 } },
        },
      },
    },
    async (request, reply) => {
      const filter = parseEventFilter(request.query.filter ?? '');
      const { events, earlier } = journal.list(filter, { before: request.query.before, limit: eventsSnapshotSize });
      // Whether older ones remain rides in a header: the body is the rows, as pushed.
      reply.header('x-events-earlier', String(earlier)).type('text/html; charset=utf-8');
      return reply.view('events/_rows.njk', { events: events.map(getEventRow) });
    },
  );
}
