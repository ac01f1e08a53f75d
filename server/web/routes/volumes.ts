import type { FastifyInstance } from 'fastify';
import { getCsrfToken } from '../plugins/csrf.ts';
import { getMediaDir, getVolumeRow } from '../volumes/volume-row.ts';

// The volumes page, for admins: one row per block device or partition (views/volumes/_row.njk),
// the actions the core allows on each, and why none when the daemon may not act. Changes go
// through the JSON API; the page follows the `volumes` topic.
export default async function volumesRoutes(app: FastifyInstance): Promise<void> {
  const { volumes } = app.core;
  const mediaDir = getMediaDir(app.core.root);

  app.get('/volumes/', { config: { admin: true } }, async (request, reply) =>
    reply.view('volumes/index.njk', {
      me: request.session,
      csrfToken: getCsrfToken(request, reply),
      page: 'volumes',
      topics: 'volumes',
      rows: volumes.list().map((volume) => getVolumeRow(volume, mediaDir, request.locale)),
      writable: volumes.writable,
    }),
  );
}
