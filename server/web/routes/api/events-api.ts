import type { FastifyInstance, FastifyRequest } from 'fastify';
import { journalPageSchema } from '../../../core/events/event-schema.ts';
import { maxFilterLength, parseEventFilter } from '../../../core/events/event-filter.ts';
import { errorSchema } from './error-schemas.ts';

// Events one page of the journal may hold.
export const maxEventsPage = 1000;

const filter = {
  type: 'string',
  maxLength: maxFilterLength,
  description: "facilities joined by |, removed with ^ (Licorn's syntax: users|groups^inotifier); empty: all",
} as const;
const tags = ['events'];
const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema };

interface PageQuery {
  filter?: string;
  before?: number;
  limit: number;
}

// The events API, for admins: a page of the core's recent events (the in-memory journal),
// and their live stream as JSON lines (`licorn get events -m`). A stream ends when the
// caller's session ends or is no longer an admin's, and a client that stops reading is
// dropped (web/events/event-streams.ts).
export default async function eventsApiRoutes(app: FastifyInstance): Promise<void> {
  const admin = { admin: true };

  app.get<{ Querystring: PageQuery }>(
    '/api/v1/events',
    {
      config: admin,
      schema: {
        tags,
        summary: 'The newest events (up to limit) numbered below before, matching filter, oldest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            filter,
            before: { type: 'integer', minimum: 1, description: 'only events numbered (seq) below it' },
            limit: { type: 'integer', minimum: 1, maximum: maxEventsPage, default: 100 },
          },
        },
        response: { 200: journalPageSchema, ...errors },
      },
    },
    async (request) => {
      const { before, limit } = request.query;
      return app.core.journal.list(parseEventFilter(request.query.filter ?? ''), { before, limit });
    },
  );

  // The caller still an admin: the session as the store last read it (its rights follow the
  // account files at every account event), and not ended.
  const isStillAdmin = (request: FastifyRequest) => () => {
    const session = request.session;
    return !!session && session.isAdmin && app.sessions.getByPublicId(session.publicId) === session;
  };

  app.get<{ Querystring: { filter?: string } }>(
    '/api/v1/events/stream',
    {
      config: admin,
      schema: {
        tags,
        summary:
          'The events matching filter from now on, one JSON object per line (an empty line every 15–30 s ' +
          'when quiet; a last {"end","message"} line when the daemon ends it), until the client closes',
        querystring: { type: 'object', additionalProperties: false, properties: { filter } },
        response: { 400: errorSchema, 401: errorSchema, 403: errorSchema, 503: errorSchema },
      },
    },
    async (request, reply) => {
      const eventFilter = parseEventFilter(request.query.filter ?? '');
      const session = request.session!;
      const viewer = {
        publicId: session.publicId,
        login: session.login,
        address: session.address,
        isAdmin: isStillAdmin(request),
        // A stream is the session's activity (a remote session's idle timeout must not end it).
        touch: () => void app.sessions.use(session.id),
      };
      const stream = app.eventStreams.create(eventFilter, viewer, reply.raw);
      // The client went away: stop following at once.
      reply.raw.once('close', () => stream.destroy());
      return reply
        .header('content-type', 'application/x-ndjson; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('x-accel-buffering', 'no')
        .send(stream);
    },
  );
}
