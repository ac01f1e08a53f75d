import fp from 'fastify-plugin';
import helmet from 'helmet';
import type { FastifyReply } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';

// helmet's settings: a CSP that allows no inline script or style, no framing, no sniffing,
// no referrer, and HSTS (HTTPS is all this server speaks). Each line is bytes on every answer
// that the server writes and the browser parses, as a keep-alive client does (bench/README.md,
// nineteenth session): none that says again what another line already says.
const helmetOptions: Parameters<typeof helmet>[0] = {
  contentSecurityPolicy: {
    useDefaults: false,
    // Scripts, styles, fonts, fetches and sockets fall back to default-src: 'self' for all,
    // without a directive each. form-action, frame-ancestors and base-uri have no fallback.
    directives: {
      defaultSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
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
  // X-Frame-Options too: a browser that knows frame-ancestors ignores it (CSP level 2), and
  // only Internet Explorer does not.
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
  xFrameOptions: false,
  // Browsers prefetch no DNS for the links of an HTTPS page unless it asks them to.
  xDnsPrefetchControl: false,
  // Chromium keys agent clusters by origin without it, the others do not implement it.
  originAgentCluster: false,
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

// The security headers and `Cache-Control: no-store`, as pairs (made once, on first use).
let headerPairs: [string, string][] | null = null;
function getHeaderPairs(): [string, string][] {
  return (headerPairs ??= Object.entries({ ...getSecurityHeaders(), 'cache-control': 'no-store' }));
}

// Sets them on an answer the plugin's hook never saw: Fastify's refusals before routing (a
// malformed URL: frameworkErrors, errors.ts) run no onRequest hook.
export function setSecurityHeaders(reply: FastifyReply): void {
  for (const [name, value] of getHeaderPairs()) reply.header(name, value);
}

// The name of Fastify's own store of a reply's headers (reply.header() writes there), or
// undefined if this Fastify has none by that name.
function findHeadersKey(reply: object): symbol | undefined {
  return Object.getOwnPropertySymbols(reply).find((key) => key.description === 'fastify.reply.headers');
}

function isEmpty(object: object): boolean {
  for (const _ in object) return false;
  return true;
}

// Adds the security headers to every response, and `Cache-Control: no-store`: pages, the API
// (the session's CSRF token), exports and the login form (its token) must not be kept by a
// browser or a proxy. The hashed static bundles set their own year-long caching over it.
export default fp(
  async (app) => {
    const pairs = getHeaderPairs();
    // An object literal of the headers, compiled once: V8 makes each copy in one allocation, all
    // properties in the object (a spread copy of a built object measured 2 KB more per request).
    const literal = pairs.map(([name, value]) => `${JSON.stringify(name)}: ${JSON.stringify(value)}`).join(', ');
    const copyHeaders = new Function(`return { ${literal} };`) as () => Record<string, string>;
    let headersKey: symbol | undefined | null = null;
    // A reply's headers start as a copy of these, made in one allocation, rather than set one by
    // one into Fastify's empty object, which then grew 10 times (510 of the 11.6 KB a /login/
    // request allocated, bench/request-alloc.ts, fourteenth session). reply.header() as before
    // if Fastify's store cannot be found or already holds a header.
    // Callback hooks here and in the other per-request plugins: an async hook costs a promise
    // and a microtask on every request, which showed in the login page's keep-alive figures.
    app.addHook('onRequest', (_request, reply, done) => {
      if (headersKey === null) headersKey = findHeadersKey(reply);
      const store = headersKey && (reply as unknown as Record<symbol, object | undefined>)[headersKey];
      if (store && isEmpty(store)) (reply as unknown as Record<symbol, object>)[headersKey!] = copyHeaders();
      else for (const [name, value] of pairs) reply.header(name, value);
      done();
    });
  },
  { name: 'licorn-security-headers' },
);
