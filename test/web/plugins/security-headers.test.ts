import { describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import securityHeaders, { getSecurityHeaders } from '../../../server/web/plugins/security-headers.ts';

// An app with the security headers, and a hook before them setting a header of its own if asked.
async function makeApp(early: boolean) {
  const app = Fastify();
  if (early) app.addHook('onRequest', (_request, reply, done) => done(void reply.header('x-early', 'yes')));
  await app.register(securityHeaders);
  app.get('/', (_request, reply) => void reply.header('vary', 'Accept-Language').send('page'));
  return app;
}

describe('the security headers', () => {
  const expected = { ...getSecurityHeaders(), 'cache-control': 'no-store' };

  it('are on every answer, each with its value, with the headers the route adds', async () => {
    const app = await makeApp(false);
    for (let round = 0; round < 3; round++) {
      const { headers } = await app.inject({ method: 'GET', url: '/' });
      expect(headers).toMatchObject({ ...expected, vary: 'Accept-Language' });
    }
    await app.close();
  });

  it('keep a header set before them', async () => {
    const app = await makeApp(true);
    const { headers } = await app.inject({ method: 'GET', url: '/' });
    expect(headers).toMatchObject({ ...expected, 'x-early': 'yes', vary: 'Accept-Language' });
    await app.close();
  });
});
