import { basename } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { buildsFile } from '../../build-chunks.ts';
import { bundleDir } from './views.ts';

// The browser bundle under /static/, public (the login page needs it): names carry a
// content hash, so they are cached for a year and never revalidated, but the builds list
// (build-chunks.ts), whose name stays while each build rewrites it: revalidated every time.
// Registered in its own scope so that the onRoute hook marking routes public touches only these.
export default async function staticFiles(app: FastifyInstance): Promise<void> {
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, public: true };
  });
  await app.register(fastifyStatic, {
    root: bundleDir,
    prefix: '/static/',
    index: false,
    list: false,
    maxAge: '365d',
    immutable: true,
    allowedPath: (path) => path !== '/manifest.json',
    setHeaders: (reply, path) => {
      if (basename(path) === buildsFile) reply.header('cache-control', 'no-cache');
    },
  });
}
