import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction, RouteOptions } from 'fastify';

// A callback hook (an async one costs a promise and a microtask turn on every request).
export type RouteHook = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void;

// Hooks `hook` on one route, before the route's own hooks of that kind: the app's checks
// (auth-guard.ts, csrf.ts) go on the routes that need them, chosen in an onRoute hook when
// the route is declared, rather than on every request.
export function prependHook(route: RouteOptions, kind: 'onRequest' | 'preHandler', hook: RouteHook): void {
  const own = route[kind] as RouteHook | RouteHook[] | undefined;
  (route as unknown as Record<string, RouteHook[]>)[kind] = [hook, ...(own === undefined ? [] : [own].flat())];
}
