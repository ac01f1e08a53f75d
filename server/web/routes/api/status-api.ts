import type { FastifyInstance } from 'fastify';
import type { StatusRange, StatusSample } from '../../../core/status/status-monitor.ts';

// Keeps the metrics whose names start with one of `prefixes` (all when none).
function selectMetrics(sample: StatusSample, prefixes: string[]): StatusSample {
  if (prefixes.length === 0) return sample;
  return {
    time: sample.time,
    values: Object.fromEntries(
      Object.entries(sample.values).filter(([key]) => prefixes.some((prefix) => key.startsWith(prefix))),
    ),
  };
}

// The status API, for admins (and, later, `licorn get status`): the current figures, and the
// history of a range; `metric` keeps the metrics whose names start with it (comma-separated:
// `cpu.,memory.`).
export default async function statusApiRoutes(app: FastifyInstance): Promise<void> {
  const admin = { admin: true };
  const metricQuery = { metric: { type: 'string', maxLength: 512 } } as const;

  app.get<{ Querystring: { metric?: string } }>(
    '/api/v1/status',
    {
      config: admin,
      schema: {
        tags: ['status'],
        summary: 'The current figures of the machine and the daemon',
        querystring: { type: 'object', properties: metricQuery },
      },
    },
    async (request) =>
      selectMetrics(await app.core.status.getCurrent(), (request.query.metric ?? '').split(',').filter(Boolean)),
  );

  app.get<{ Querystring: { metric?: string; range: StatusRange } }>(
    '/api/v1/status/history',
    {
      config: admin,
      schema: {
        tags: ['status'],
        summary: 'The history of a range: 10m (1 s samples) or 24h (one-minute averages)',
        querystring: {
          type: 'object',
          properties: { ...metricQuery, range: { type: 'string', enum: ['10m', '24h'], default: '10m' } },
        },
      },
    },
    async (request) => {
      const prefixes = (request.query.metric ?? '').split(',').filter(Boolean);
      return {
        range: request.query.range,
        samples: app.core.status.getHistory(request.query.range).map((sample) => selectMetrics(sample, prefixes)),
      };
    },
  );
}
