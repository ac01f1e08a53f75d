import Fastify, { type FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { describe, expect, it } from 'vitest';
import authGuard from '../../../server/web/plugins/auth-guard.ts';
import csrf from '../../../server/web/plugins/csrf.ts';
import { checkEveryRoute } from '../../../server/web/plugins/route-checks.ts';

// The app's order in small: the route checker first, then `before` (routes declared ahead of
// the checks' plugins), the auth guard and the CSRF check, then `after`.
async function buildWith(before: (app: FastifyInstance) => void, after: (app: FastifyInstance) => void) {
  const app = Fastify({ logger: false });
  checkEveryRoute(app);
  await app.register(async (scope) => before(scope));
  // auth-guard.ts and csrf.ts need the sessions plugin by name; no route here runs.
  await app.register(fp(async () => {}, { name: 'licorn-sessions' }));
  await app.register(authGuard);
  await app.register(csrf);
  await app.register(async (scope) => after(scope));
  return app;
}

const answer = async () => 'ok';

describe('checkEveryRoute', () => {
  it('lets the app start when every route has its checks', async () => {
    const app = await buildWith(
      (scope) => scope.get('/static/x', { config: { public: true } }, answer),
      (scope) => {
        scope.get('/page/', answer);
        scope.post('/login/', { config: { public: true } }, answer);
        scope.post('/api/v1/x', answer);
      },
    );
    await expect(app.ready()).resolves.toBeDefined();
    await app.close();
  });

  it('fails the start when a route declared before the auth guard needs a session', async () => {
    const app = await buildWith(
      (scope) => scope.get('/early/', answer),
      () => {},
    );
    await expect(app.ready()).rejects.toThrow('GET /early/: login');
  });

  it('fails the start when a state-changing route declared before the CSRF check lacks it', async () => {
    const app = await buildWith(
      (scope) => {
        scope.post('/early-form/', { config: { public: true } }, answer);
        scope.route({ method: ['GET', 'DELETE'], url: '/early-both/', handler: answer });
      },
      () => {},
    );
    await expect(app.ready()).rejects.toThrow(/POST \/early-form\/: CSRF;.*GET,DELETE \/early-both\/: login, CSRF/);
  });

  it('takes a route marked csrf: false (JSON only) as checked', async () => {
    const app = await buildWith(
      (scope) => scope.post('/early-json/', { config: { public: true, csrf: false } }, answer),
      () => {},
    );
    await expect(app.ready()).resolves.toBeDefined();
    await app.close();
  });
});
