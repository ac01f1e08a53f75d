// The benchmarks' baseline: bare Fastify over HTTPS answering /login/ with a static page of
// `--bytes` bytes (the size of the daemon's /login/, measured by the bench; 4 KB without it),
// with the same certificate as the daemon under test. Prints its URL when listening.
// `--same-answer`: the page with licornd's header lines, made by licornd's own plugins (the
// security headers, a fresh CSRF token cookie each answer): what the answer itself costs, so
// the rest of licornd's gap is its request path (the keepalive bench, twenty-first session).
import Fastify from 'fastify';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { getHttpsOptions } from '../server/web/tls/tls-options.ts';
import cookies from '../server/web/plugins/cookies.ts';
import securityHeaders from '../server/web/plugins/security-headers.ts';
import { getCsrfToken } from '../server/web/plugins/csrf.ts';

const { values } = parseArgs({
  options: {
    cert: { type: 'string' },
    key: { type: 'string' },
    bytes: { type: 'string' },
    'same-answer': { type: 'boolean' },
  },
});
const bytes = Number(values.bytes ?? 4096);
const filler = 'Licorn WMI baseline page. '.repeat(Math.ceil(bytes / 26) + 10);
const head = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Log in</title></head>';
const page = `${head}<body><p>${filler}</p></body></html>`.slice(0, bytes);

const app = Fastify({
  https: getHttpsOptions({ cert: readFileSync(values.cert!, 'utf8'), key: readFileSync(values.key!, 'utf8') }),
  logger: false,
});
if (values['same-answer']) {
  await app.register(cookies);
  await app.register(securityHeaders);
  // No sessions here: getCsrfToken then gives the login form's token and its cookie.
  app.decorateRequest('session', null);
  app.get('/login/', (request, reply) => {
    getCsrfToken(request, reply);
    reply.type('text/html; charset=utf-8').send(page);
  });
} else {
  app.get('/login/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(page));
}
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address() as { port: number };
process.stdout.write(`baseline: listening on https://127.0.0.1:${address.port}/ \n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
