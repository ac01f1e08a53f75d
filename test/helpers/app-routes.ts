import type { FastifyInstance, HTTPMethods } from 'fastify';

// One route of the app: its method and its path as registered (`/api/v1/accounts/:login`).
export interface AppRoute {
  method: HTTPMethods;
  path: string;
}

const lineShape = /^([│ ]*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/;

// Every route the app serves (HEAD aside: Fastify adds it to each GET), read from the app
// itself so that a route added later is covered by the tests that walk them. The tree of
// `printRoutes` is joined back into paths, and each is checked with `hasRoute`.
export function getAppRoutes(app: FastifyInstance): AppRoute[] {
  const routes: AppRoute[] = [];
  const prefixes: string[] = [];
  for (const line of app.printRoutes().split('\n')) {
    const match = lineShape.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    const path = (prefixes[depth - 1] ?? '') + match[2]!;
    prefixes[depth] = path;
    prefixes.length = depth + 1;
    for (const method of (match[3] ?? '').split(', ').filter((name) => name && name !== 'HEAD')) {
      routes.push({ method: method as HTTPMethods, path });
    }
  }
  for (const route of routes) {
    if (!app.hasRoute({ method: route.method, url: route.path })) {
      throw new Error(`printRoutes gave ${route.method} ${route.path}, which the app does not have`);
    }
  }
  if (routes.length === 0) throw new Error('no routes read from printRoutes');
  return routes;
}

// The methods that carry a body (or, for DELETE, change things from the URL alone).
export const changingMethods: ReadonlySet<string> = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

// The path with its parameters (`:login`) filled in, each value URL-encoded.
export function fillRoutePath(path: string, values: Record<string, string>): string {
  return path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for :${name} in ${path}`);
    return encodeUrlComponent(value);
  });
}

// encodeURIComponent that takes any string: a lone surrogate becomes U+FFFD (as UTF-8 does)
// instead of throwing.
export function encodeUrlComponent(value: string): string {
  return encodeURIComponent(Buffer.from(value, 'utf8').toString('utf8'));
}
