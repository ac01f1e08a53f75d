import fp from 'fastify-plugin';
import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

// helmet's settings: a CSP that allows no inline script or style, no framing, no sniffing,
// no referrer, and HSTS (HTTPS is all this server speaks).
const helmetOptions: Parameters<typeof helmet>[0] = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'"],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
  strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: false },
  referrerPolicy: { policy: 'no-referrer' },
  crossOriginEmbedderPolicy: false,
  // Headers for Internet Explorer and Flash only: bytes on every response, for nothing.
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
};

// The headers helmet sets with these options: they are the same for every response, so
// helmet runs once, at start, against a recording response. (@fastify/helmet rebuilds
// helmet's middleware, re-parsing the CSP, on every request: a tenth of the CPU of a
// keep-alive load on the login page, measured.)
export function getSecurityHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string) {
      headers[name.toLowerCase()] = value;
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(helmetOptions)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
  });
  return headers;
}

// Adds the security headers to every response, and `Cache-Control: no-store`: pages, the API
// (the session's CSRF token), exports and the login form (its token) must not be kept by a
// browser or a proxy. The hashed static bundles set their own year-long caching over it.
export default fp(
  async (app) => {
    // As pairs, set one by one: reply.headers(object) lists the object's keys on every request
    // (127 of the 12.4 KB a /login/ request allocates, bench/request-alloc.ts).
    const headers = Object.entries({ ...getSecurityHeaders(), 'cache-control': 'no-store' });
    // Callback hooks here and in the other per-request plugins: an async hook costs a promise
    // and a microtask on every request, which showed in the login page's keep-alive figures.
    app.addHook('onRequest', (_request, reply, done) => {
      for (const [name, value] of headers) reply.header(name, value);
      done();
    });
  },
  { name: 'licorn-security-headers' },
);
