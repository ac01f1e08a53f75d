import fp from 'fastify-plugin';
import { parseCookie, stringifySetCookie, type SetCookie } from 'cookie';
import type { FastifyReply } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    // The request's cookies by name, parsed from the Cookie header on first read.
    readonly cookies: Record<string, string | undefined>;
  }
}

const parsed = Symbol('parsed cookies');

// Adds a Set-Cookie header (several calls add several headers).
export function setCookie(reply: FastifyReply, cookie: SetCookie): void {
  reply.header('set-cookie', stringifySetCookie(cookie));
}

// Request cookies, read with the `cookie` package. Not @fastify/cookie: its onRequest parse
// and onSend merge hooks run on every response, cookie or not, and cost about a tenth of the
// login page's keep-alive throughput (autocannon, bench/README.md); here a request that
// never reads a cookie pays nothing.
export default fp(
  async (app) => {
    app.decorateRequest('cookies', {
      getter(this: { headers: { cookie?: string }; [parsed]?: Record<string, string | undefined> }) {
        return (this[parsed] ??= this.headers.cookie ? parseCookie(this.headers.cookie) : {});
      },
    });
  },
  { name: 'licorn-cookies' },
);
