import type { FastifyInstance, RouteOptions } from 'fastify';
import { isAuthGuard } from './auth-guard.ts';
import { checkCsrf, mayChangeState } from './csrf.ts';

// Whether `hooks` (a route's onRequest or preHandler option) holds `wanted`.
function holds(hooks: unknown, wanted: (hook: unknown) => boolean): boolean {
  return [hooks ?? []].flat().some(wanted);
}

// What a route lacks: the auth guard unless it is public, the CSRF check if it takes a
// state-changing method and is not marked `csrf: false`.
export function getMissingChecks(route: RouteOptions): string[] {
  const missing: string[] = [];
  if (!route.config?.public && !holds(route.onRequest, isAuthGuard)) missing.push('login');
  if (route.config?.csrf !== false && mayChangeState(route.method) && !holds(route.preHandler, (h) => h === checkCsrf))
    missing.push('CSRF');
  return missing;
}

// Fails the start (app.ready()) when a route lacks its login or CSRF check. auth-guard.ts and
// csrf.ts hook them on each route when it is declared, so a route declared before them (a
// plugin registered earlier in app.ts) would have neither, silently: registered first, this
// sees every route, and checks them once all hooks have run.
export function checkEveryRoute(app: FastifyInstance): void {
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route) => {
    routes.push(route);
  });
  app.addHook('onReady', (done) => {
    const lacking = routes.flatMap((route) => {
      const missing = getMissingChecks(route);
      return missing.length === 0 ? [] : [`${[route.method].flat().join(',')} ${route.url}: ${missing.join(', ')}`];
    });
    routes.length = 0;
    done(lacking.length === 0 ? undefined : new Error(`routes without their checks: ${lacking.join('; ')}`));
  });
}
