import fp from 'fastify-plugin';
import { ApiTokenStore, type ApiToken } from '../../core/auth/api-token-store.ts';
import { CoreError } from '../../core/errors.ts';
import { getBoundAccount } from '../local/local-account.ts';
import { isLocalRequest } from '../local/local-peer.ts';

declare module 'fastify' {
  interface FastifyInstance {
    // The accounts' API tokens (tokens.store_file).
    apiTokens: ApiTokenStore;
    // Ends the session a deleted token acted through.
    endTokenSession(id: string): void;
  }
  interface FastifyRequest {
    // The API token the request came with (Authorization: Bearer), or null.
    apiToken: ApiToken | null;
  }
}

const refuse = (message: string, field = 'authorization') => new CoreError('permission-denied', message, { field });

// `Authorization: Bearer <token>`: the request acts as the token's account, with its rights
// as the account files say now (a session per token, not stored, re-read at every request
// like a browser's: a demoted, locked or deleted account's tokens follow at once). No CSRF
// token is needed (no cookie is involved), so a Bearer request that also carries a cookie is
// refused, and so is one on the local socket (its caller is known already).
export default fp(
  async (app) => {
    const store = new ApiTokenStore({
      file: app.config.tokens.storeFile,
      maxPerAccount: app.config.tokens.maxPerAccount,
      events: app.core.events,
      warn: (message) => app.log.warn(message),
    });
    await store.load();
    app.decorate('apiTokens', store);
    app.decorateRequest('apiToken', null);
    // The session each token acts through, by token id.
    const sessionOf = new Map<string, string>();

    app.addHook('onRequest', (request, _reply, done) => {
      const header = request.headers.authorization;
      if (header === undefined) return done();
      if (isLocalRequest(request)) return done(refuse('The local socket knows its caller: send no Authorization'));
      if (request.headers.cookie !== undefined) {
        return done(refuse('A request with an API token must not carry cookies: send one or the other'));
      }
      const match = /^Bearer ([!-~]{1,200})$/.exec(header);
      if (!match) return done(refuse('Authorization must be "Bearer <token>"', 'session'));
      const token = store.find(match[1]!);
      if (!token) {
        request.log.warn({ address: request.ip }, 'refused an unknown or revoked API token');
        return done(refuse('Unknown or revoked API token', 'session'));
      }
      const known = sessionOf.get(token.id);
      let session = known ? app.sessions.use(known) : null;
      if (!session) {
        try {
          const account = getBoundAccount(app.core.auth, token.login, token.uid);
          session = app.sessions.createBound(account, request.ip, 'token', `API token "${token.name}"`);
        } catch (error) {
          return done(error as Error);
        }
        sessionOf.set(token.id, session.id);
      }
      request.session = session;
      request.apiToken = token;
      done();
    });
    // A deleted token's session ends with it.
    app.decorate('endTokenSession', (id: string) => {
      const sessionId = sessionOf.get(id);
      sessionOf.delete(id);
      if (sessionId) app.sessions.destroy(sessionId, 'logout');
    });
    app.addHook('onClose', async () => store.close());
  },
  { name: 'licorn-api-tokens', dependencies: ['licorn-sessions', 'licorn-core'] },
);
