import fp from 'fastify-plugin';
import fastifyStatic from '@fastify/static';
import { bundleDir } from './views.ts';

// The browser bundle under /static/: names carry a content hash, so they are cached for a
// year and never revalidated.
export default fp(async (app) => {
  await app.register(fastifyStatic, {
    root: bundleDir,
    prefix: '/static/',
    index: false,
    list: false,
    maxAge: '365d',
    immutable: true,
    allowedPath: (path) => path !== '/manifest.json' && !path.endsWith('.map'),
  });
}, { name: 'licorn-static-files' });
