import type { Server } from 'node:tls';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import pino from 'pino';
import formbody from '@fastify/formbody';
import type { LicornConfig } from '../config/load-config.ts';
import type { TlsMaterial } from './tls/create-self-signed-certificate.ts';
import { getHttpsOptions } from './tls/tls-options.ts';
import { applyPlainHttpRedirect, plainHttpLimits } from './tls/plain-http-redirect.ts';
import { collectAfterCloseBursts } from './tls/close-bursts.ts';
import './types.ts';
import cookies from './plugins/cookies.ts';
import securityHeaders from './plugins/security-headers.ts';
import views from './plugins/views.ts';
import staticFiles from './plugins/static-files.ts';
import errors, { handleFrameworkError } from './plugins/errors.ts';
import { compileValidator } from './validation/validator-compiler.ts';
import { buildLazySerializer } from './validation/serializer-factory.ts';
import core from './plugins/core.ts';
import stoppingSignal from './plugins/stopping-signal.ts';
import locale from './plugins/locale.ts';
import sessions from './plugins/sessions.ts';
import localSocket from './plugins/local-socket.ts';
import apiTokens from './plugins/api-tokens.ts';
import authGuard from './plugins/auth-guard.ts';
import csrf from './plugins/csrf.ts';
import loginThrottle from './plugins/login-throttle.ts';
import accountList from './plugins/account-list.ts';
import status from './plugins/status.ts';
import push from './plugins/push.ts';
import terminals from './plugins/terminals.ts';
import openapi from './plugins/openapi.ts';
import eventStreams from './plugins/event-streams.ts';
import loginRoutes from './routes/login.ts';
import dashboardRoutes from './routes/dashboard.ts';
import myAccountRoutes from './routes/my-account.ts';
import accountsRoutes from './routes/accounts.ts';
import auditRoutes from './routes/audit.ts';
import groupsRoutes from './routes/groups.ts';
import statusRoutes from './routes/status.ts';
import terminalRoutes from './routes/terminal.ts';
import eventsRoutes from './routes/events.ts';
import statusApiRoutes from './routes/api/status-api.ts';
import sessionApiRoutes from './routes/api/session-api.ts';
import accountsApiRoutes from './routes/api/accounts-api.ts';
import accountsBulkApiRoutes from './routes/api/accounts-bulk-api.ts';
import groupsApiRoutes from './routes/api/groups-api.ts';
import volumesRoutes from './routes/volumes.ts';
import volumesApiRoutes from './routes/api/volumes-api.ts';
import terminalsApiRoutes from './routes/api/terminals-api.ts';
import eventsApiRoutes from './routes/api/events-api.ts';
import tokensApiRoutes from './routes/api/tokens-api.ts';
import pushSocketRoutes from './routes/push-socket.ts';
import { registerWebSockets } from './plugins/websockets.ts';
import { createRequestLogger, createRequestLoggerOf } from './request-logger.ts';
import { createRequestIds } from './request-ids.ts';
import { checkEveryRoute } from './plugins/route-checks.ts';

// Request bodies above this are refused with 413: no form or API call needs more yet.
export const bodyLimit = 64 * 1024;

export interface BuildAppOptions {
  tls: TlsMaterial;
  // A pino logger configuration or false; main.ts passes the configured level.
  logger?: boolean | object;
}

// Builds the Fastify app without listening: main.ts starts it, tests inject into it.
// Plugins register in a fixed order: external, then the app's own, then routes.
export async function buildApp(config: LicornConfig, options: BuildAppOptions): Promise<FastifyInstance> {
  // Fastify adds two listeners to every response whenever it has a logger of its own, to time
  // the request's "completed" line, even when request lines are off: then it gets none, and
  // our pino logs for it (`app.log`, each request's lazy child). With log.requests, Fastify's.
  const log = options.logger && !config.log.requests ? pino(options.logger === true ? {} : options.logger) : null;
  const requestIds = createRequestIds();
  const app = Fastify({
    // Fastify's own ids, counted for the Status page (plugins/status.ts) without a hook.
    genReqId: requestIds.next,
    // A handshake not done in this time is cut (Node's default: 120 s; plain-http-redirect.ts).
    https: { ...getHttpsOptions(options.tls), handshakeTimeout: plainHttpLimits.handshakeTimeoutMs },
    logger: log ? false : (options.logger ?? false),
    // Without a logger, Fastify gives every request the null logger itself: nothing to spare.
    ...(options.logger ? { childLoggerFactory: log ? createRequestLoggerOf(log) : createRequestLogger } : {}),
    bodyLimit,
    logController: new LogController({ disableRequestLogging: !config.log.requests }),
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    frameworkErrors: handleFrameworkError,
    schemaController: { compilersFactory: { buildSerializer: buildLazySerializer } },
    // The core reads the account files, the shares and the status history before the app
    // listens: 100,000 accounts on a busy machine took longer than Fastify's 10 s default,
    // and the daemon refused to start. A hung start is still ended (two minutes).
    pluginTimeout: 120_000,
  });
  // Before any plugin: their instances inherit it (Fastify's own lines, e.g. "Server listening").
  if (log) app.log = log;
  // Strict bodies, coerced querystrings (server/web/validation/validator-compiler.ts).
  app.setValidatorCompiler(compileValidator);
  app.decorate('config', config);
  app.decorate('countRequests', requestIds.count);
  // Before any route: app.ready() fails if a route lacks its login or CSRF check.
  checkEveryRoute(app);
  // Plain HTTP on the HTTPS port gets a redirect to https rather than an empty reply.
  const endSniffing = applyPlainHttpRedirect(app.server as Server, options.tls.cert);
  app.addHook('preClose', async () => endSniffing());
  // A burst of closed connections is followed by one full collection (tls/close-bursts.ts).
  const stopCloseBursts = collectAfterCloseBursts(app.server as Server);
  app.addHook('onClose', async () => stopCloseBursts());

  await app.register(stoppingSignal);
  await app.register(cookies);
  await app.register(formbody, { bodyLimit });
  await app.register(securityHeaders);
  await app.register(views);
  await app.register(staticFiles);

  await app.register(errors);
  await app.register(core);
  await app.register(sessions);
  await app.register(localSocket);
  await app.register(apiTokens);
  await app.register(locale);
  await app.register(authGuard);
  await app.register(csrf);
  await app.register(loginThrottle);
  await app.register(accountList);
  await app.register(push);
  await app.register(status);
  await app.register(terminals);
  await app.register(eventStreams);
  await app.register(openapi);

  await app.register(loginRoutes);
  await app.register(dashboardRoutes);
  await app.register(myAccountRoutes);
  await app.register(accountsRoutes);
  await app.register(auditRoutes);
  await app.register(groupsRoutes);
  await app.register(statusRoutes);
  await app.register(volumesRoutes);
  await app.register(eventsRoutes);
  // The API takes JSON bodies only: a form or text body gets 415 naming the content type
  // (what a cross-site form can send is refused before anything reads it).
  await app.register(async (api) => {
    api.removeContentTypeParser(['application/x-www-form-urlencoded', 'text/plain']);
    await api.register(sessionApiRoutes);
    await api.register(accountsApiRoutes);
    await api.register(accountsBulkApiRoutes);
    await api.register(groupsApiRoutes);
    await api.register(statusApiRoutes);
    await api.register(volumesApiRoutes);
    await api.register(terminalsApiRoutes);
    await api.register(eventsApiRoutes);
    await api.register(tokensApiRoutes);
  });
  // The routes that upgrade, with @fastify/websocket in their context only (plugins/websockets.ts).
  await app.register(async (sockets) => {
    await registerWebSockets(app, sockets);
    await sockets.register(terminalRoutes);
    await sockets.register(pushSocketRoutes);
  });
  return app;
}
