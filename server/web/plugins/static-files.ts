import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { bundleDir } from './views.ts';

// The browser bundle under /static/, public (the login page needs it): names carry a
// content hash, so they are cached for a year and never revalidated. Registered in its own
// scope so that the onRoute hook marking routes public touches only these.
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
  });
}
